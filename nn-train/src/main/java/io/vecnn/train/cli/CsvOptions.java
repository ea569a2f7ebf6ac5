package io.vecnn.train.cli;

import io.vecnn.train.Csv;
import picocli.CommandLine.Option;

/** How a CSV file is read: its header and label column (options shared by the commands that read one). */
final class CsvOptions {
    @Option(names = "--label", paramLabel = "NAME|INDEX",
            description = "CSV: the label column, by header name or by index from 0 (default: the last column).")
    String label;

    @Option(names = "--header", negatable = true,
            description = "CSV: the first line is (--header) or is not (--no-header) a header (default: detected, "
                    + "a header when a column holds text on line 1 and a number on line 2).")
    Boolean header;

    @Option(names = "--allow-non-finite", description = "CSV: accept nan and inf feature values.")
    boolean allowNonFinite;

    Csv.Header headerRule() {
        return header == null ? Csv.Header.DETECT : header ? Csv.Header.PRESENT : Csv.Header.ABSENT;
    }

    /** Whether any of these options was given. */
    boolean given() {
        return label != null || header != null || allowNonFinite;
    }
}
