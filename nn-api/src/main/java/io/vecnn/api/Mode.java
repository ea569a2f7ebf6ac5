package io.vecnn.api;

/** Whether a forward pass is part of training (dropout active, activations kept for backward). */
public enum Mode {
    /** Training: stochastic layers are active and every layer keeps what its backward needs. */
    TRAINING,
    /** Inference: deterministic; no backward follows. */
    INFERENCE
}
