package io.vecnn.train.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option value converters that check ranges while the command line is parsed, so that a bad value
 * is a usage error (exit code 2) naming the option before anything is read or written. Numbers
 * the training computes with in float are checked after conversion to float: {@code --lr 1e300}
 * (infinite as a float) and {@code --lr 1e-50} (zero) are refused.
 */
final class Values {
    /** The most kernel threads accepted: far above any machine's cores, far below what exhausts memory. */
    static final int MAX_THREADS = 1024;

    private Values() {
    }

    private static double number(String text) {
        String t = text.strip();
        // Java's parser also takes "1f", "2d", "0x1p3": those are not numbers a user means.
        if (!t.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
            throw new TypeConversionException("'" + text + "' is not a number");
        }
        return Double.parseDouble(t);
    }

    private static long integer(String text) {
        String t = text.strip();
        if (!t.matches("[+-]?[0-9]+")) {
            throw new TypeConversionException("'" + text + "' is not an integer");
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new TypeConversionException(text + " is too large");
        }
    }

    private static int intValue(String text) {
        long v = integer(text);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new TypeConversionException(text + " is too large");
        }
        return (int) v;
    }

    /** A number that is finite and above 0 as a float (a learning rate); kept as the double given. */
    static final class PositiveFloat implements ITypeConverter<Double> {
        @Override
        public Double convert(String text) {
            double v = number(text);
            float f = (float) v;
            if (!(f > 0) || Float.isInfinite(f)) {
                throw new TypeConversionException(text + " is not a finite number above 0 in float precision"
                        + " (from 1.4e-45 to 3.4e38)");
            }
            return v;
        }
    }

    /** A number that is finite and at least 0 as a float (weight decay, a clipping norm; 0 is off). */
    static final class NonNegativeFloat implements ITypeConverter<Double> {
        @Override
        public Double convert(String text) {
            double v = number(text);
            if (!(v >= 0) || Float.isInfinite((float) v)) {
                throw new TypeConversionException(text + " is not a finite number >= 0 in float precision (at most 3.4e38)");
            }
            return v;
        }
    }

    /** A fraction strictly between 0 and 1 (the share held out for validation). */
    static final class OpenFraction implements ITypeConverter<Double> {
        @Override
        public Double convert(String text) {
            double v = number(text);
            if (!(v > 0 && v < 1)) {
                throw new TypeConversionException(text + " is not between 0 and 1 (both excluded)");
            }
            return v;
        }
    }

    /** A rate in [0, 1) (dropout). */
    static final class Rate implements ITypeConverter<Double> {
        @Override
        public Double convert(String text) {
            double v = number(text);
            if (!(v >= 0 && v < 1)) {
                throw new TypeConversionException(text + " is not in [0, 1)");
            }
            return v;
        }
    }

    /** An integer >= 1. */
    static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            int v = intValue(text);
            if (v < 1) {
                throw new TypeConversionException(text + " is not an integer >= 1");
            }
            return v;
        }
    }

    /** An integer >= 0. */
    static final class NonNegativeInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            int v = intValue(text);
            if (v < 0) {
                throw new TypeConversionException(text + " is not an integer >= 0");
            }
            return v;
        }
    }

    /** A long integer >= 0. */
    static final class NonNegativeLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            long v = integer(text);
            if (v < 0) {
                throw new TypeConversionException(text + " is not an integer >= 0");
            }
            return v;
        }
    }

    /** Any long integer (a seed). */
    static final class AnyLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            return integer(text);
        }
    }

    /** A kernel thread count: 1 to {@link #MAX_THREADS}. */
    static final class Threads implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            int v = intValue(text);
            if (v < 1 || v > MAX_THREADS) {
                throw new TypeConversionException(text + " is not a thread count from 1 to " + MAX_THREADS + " (this machine has "
                        + Runtime.getRuntime().availableProcessors() + " processors)");
            }
            return v;
        }
    }
}
