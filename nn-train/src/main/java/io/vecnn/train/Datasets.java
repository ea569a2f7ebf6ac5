package io.vecnn.train;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Ready-made datasets: the embedded digits, Fashion-MNIST, and any directory of MNIST-style IDX files. */
public final class Datasets {
    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    private Datasets() {
    }

    /**
     * The UCI optical handwritten digits (1,797 8×8 images, pixels 0–16 scaled to [0, 1], 10 classes),
     * embedded in this jar; source and licence in {@code io/vecnn/train/data/README.md}.
     *
     * @return the digits dataset
     * @throws IOException if the embedded resource cannot be read
     */
    public static Dataset digits() throws IOException {
        try (InputStream in = Datasets.class.getResourceAsStream("data/digits.csv.gz")) {
            if (in == null) {
                throw new IOException("the embedded digits dataset (io/vecnn/train/data/digits.csv.gz) is missing from the jar");
            }
            return Csv.read(in, "digits.csv.gz", Csv.Options.defaults().withHeader(Csv.Header.ABSENT).withClasses(10)).dataset()
                    .scaled(1f / 16f);
        }
    }

    /**
     * A train/test pair.
     *
     * @param train the training set
     * @param test the test set
     */
    public record TrainTest(Dataset train, Dataset test) {
    }

    /**
     * MNIST-layout IDX files in a directory: {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
     * {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each optionally with {@code .gz};
     * pixels scaled to [0, 1], 10 classes.
     *
     * @param dir the directory
     * @return the training and test sets
     * @throws IOException if a file is missing, unreadable or malformed
     */
    public static TrainTest idxDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(dir.toString(), null, "no such directory");
        }
        String name = dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
        Dataset train = Idx.dataset(name + "-train", find(dir, "train-images-idx3-ubyte"), find(dir, "train-labels-idx1-ubyte"), 10, 1f / 255f);
        Dataset test = Idx.dataset(name + "-test", find(dir, "t10k-images-idx3-ubyte"), find(dir, "t10k-labels-idx1-ubyte"), 10, 1f / 255f);
        if (train.features() != test.features()) {
            throw new MalformedDataException(dir + ": training images have " + train.features() + " values, test images "
                    + test.features());
        }
        return new TrainTest(train, test);
    }

    private static Path find(Path dir, String base) throws IOException {
        for (String candidate : new String[] {base, base + ".gz"}) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new java.nio.file.NoSuchFileException(dir.resolve(base) + "[.gz]", null, "missing IDX file");
    }
}
