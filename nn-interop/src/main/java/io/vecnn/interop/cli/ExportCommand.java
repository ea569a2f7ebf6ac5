package io.vecnn.interop.cli;

/** placeholder */
public final class ExportCommand {
}
