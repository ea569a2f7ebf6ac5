package io.vecnn.kernels;

/**
 * Where the patches of a convolution or pooling window lie in one C × H × W image (NCHW, row-major):
 * a kernel of kh × kw positions moved by a stride over the image padded with zeros (for pooling:
 * with values that are never the maximum and, for averages, zeros counted in the window as
 * PyTorch's {@code count_include_pad=True} does). The output is C' × OH × OW with
 * OH = (H + 2·padH − kh)/strideH + 1 and OW likewise (rounded down, as PyTorch and ONNX do).
 * Immutable; created once per layer.
 */
public final class ConvGeometry {
    private final int channels;
    private final int height;
    private final int width;
    private final int kernelH;
    private final int kernelW;
    private final int strideH;
    private final int strideW;
    private final int padH;
    private final int padW;
    private final int outHeight;
    private final int outWidth;

    /**
     * A geometry with separate vertical and horizontal kernel size, stride and padding.
     *
     * @param channels input channels C ≥ 1
     * @param height   input height H ≥ 1
     * @param width    input width W ≥ 1
     * @param kernelH  kernel height ≥ 1, at most H + 2·padH
     * @param kernelW  kernel width ≥ 1, at most W + 2·padW
     * @param strideH  vertical stride ≥ 1
     * @param strideW  horizontal stride ≥ 1
     * @param padH     rows of zeros above and below ≥ 0
     * @param padW     columns of zeros left and right ≥ 0
     * @throws IllegalArgumentException naming the value out of range
     */
    public ConvGeometry(int channels, int height, int width, int kernelH, int kernelW, int strideH, int strideW,
                        int padH, int padW) {
        atLeast("channels", channels, 1);
        atLeast("height", height, 1);
        atLeast("width", width, 1);
        atLeast("kernel height", kernelH, 1);
        atLeast("kernel width", kernelW, 1);
        atLeast("stride height", strideH, 1);
        atLeast("stride width", strideW, 1);
        atLeast("padding height", padH, 0);
        atLeast("padding width", padW, 0);
        if (kernelH > height + 2L * padH || kernelW > width + 2L * padW) {
            throw new IllegalArgumentException("kernel " + kernelH + "x" + kernelW + " is larger than the padded input "
                    + (height + 2L * padH) + "x" + (width + 2L * padW));
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.padH = padH;
        this.padW = padW;
        this.outHeight = (height + 2 * padH - kernelH) / strideH + 1;
        this.outWidth = (width + 2 * padW - kernelW) / strideW + 1;
        long patches = (long) channels * kernelH * kernelW * outHeight * outWidth;
        if (patches > Integer.MAX_VALUE || (long) channels * height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("convolution of " + channels + "x" + height + "x" + width + " is too large");
        }
    }

    /**
     * A geometry with a square kernel and the same stride and padding on both axes.
     *
     * @param channels input channels C
     * @param height   input height H
     * @param width    input width W
     * @param kernel   kernel size k (k × k)
     * @param stride   stride on both axes
     * @param padding  padding on both axes
     * @return the geometry
     * @throws IllegalArgumentException naming the value out of range
     */
    public static ConvGeometry square(int channels, int height, int width, int kernel, int stride, int padding) {
        return new ConvGeometry(channels, height, width, kernel, kernel, stride, stride, padding, padding);
    }

    private static void atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
        }
    }

    /**
     * Input channels C.
     *
     * @return input channels C
     */
    public int channels() {
        return channels;
    }

    /**
     * Input height H.
     *
     * @return input height H
     */
    public int height() {
        return height;
    }

    /**
     * Input width W.
     *
     * @return input width W
     */
    public int width() {
        return width;
    }

    /**
     * Kernel height kh.
     *
     * @return kernel height kh
     */
    public int kernelH() {
        return kernelH;
    }

    /**
     * Kernel width kw.
     *
     * @return kernel width kw
     */
    public int kernelW() {
        return kernelW;
    }

    /**
     * Vertical stride.
     *
     * @return vertical stride
     */
    public int strideH() {
        return strideH;
    }

    /**
     * Horizontal stride.
     *
     * @return horizontal stride
     */
    public int strideW() {
        return strideW;
    }

    /**
     * Vertical padding.
     *
     * @return vertical padding
     */
    public int padH() {
        return padH;
    }

    /**
     * Horizontal padding.
     *
     * @return horizontal padding
     */
    public int padW() {
        return padW;
    }

    /**
     * Output height OH.
     *
     * @return output height OH
     */
    public int outHeight() {
        return outHeight;
    }

    /**
     * Output width OW.
     *
     * @return output width OW
     */
    public int outWidth() {
        return outWidth;
    }

    /**
     * Values per input image, C·H·W.
     *
     * @return values per input image, C·H·W
     */
    public int inputSize() {
        return channels * height * width;
    }

    /**
     * Output positions per channel, OH·OW.
     *
     * @return output positions per channel, OH·OW
     */
    public int outputPositions() {
        return outHeight * outWidth;
    }

    /**
     * Values per patch, C·kh·kw (the depth of a convolution's GEMM).
     *
     * @return values per patch, C·kh·kw (the depth of a convolution's GEMM)
     */
    public int patchSize() {
        return channels * kernelH * kernelW;
    }

    /**
     * Kernel positions per channel, kh·kw.
     *
     * @return kernel positions per channel, kh·kw
     */
    public int windowSize() {
        return kernelH * kernelW;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvGeometry g && channels == g.channels && height == g.height && width == g.width
                && kernelH == g.kernelH && kernelW == g.kernelW && strideH == g.strideH && strideW == g.strideW
                && padH == g.padH && padW == g.padW;
    }

    @Override
    public int hashCode() {
        int h = channels;
        for (int v : new int[]{height, width, kernelH, kernelW, strideH, strideW, padH, padW}) {
            h = 31 * h + v;
        }
        return h;
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width + " kernel " + kernelH + "x" + kernelW + " stride " + strideH + "x"
                + strideW + " padding " + padH + "x" + padW + " -> " + outHeight + "x" + outWidth;
    }
}
