package io.vecnn.interop;

/** placeholder */
public final class SafeTensors {
    private SafeTensors() {
    }
}
