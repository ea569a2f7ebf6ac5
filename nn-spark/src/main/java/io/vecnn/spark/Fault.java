package io.vecnn.spark;

import java.io.Serializable;

/**
 * A fault injected for tests: worker {@code shard} fails (or stops answering) at training step
 * {@code step}, on the first attempt only or on every attempt.
 *
 * @param shard        the faulty worker
 * @param step         the step at which it strikes
 * @param hang         stop answering (until killed) rather than throw
 * @param everyAttempt strike on every attempt, not just the first
 */
record Fault(int shard, long step, boolean hang, boolean everyAttempt) implements Serializable {

    /** Acts if this is the faulty worker's step (attempt: Spark's task or stage attempt number). */
    void maybeStrike(int worker, long thisStep, int attempt) {
        if (worker != shard || thisStep != step || (!everyAttempt && attempt > 0)) {
            return;
        }
        if (!hang) {
            throw new IllegalStateException("injected failure of worker " + worker + " at step " + thisStep + " (attempt " + attempt + ")");
        }
        // Stops answering until Spark kills the task (a barrier stage's tasks are killed without an interrupt).
        org.apache.spark.TaskContext ctx = org.apache.spark.TaskContext.get();
        long end = System.nanoTime() + 600_000_000_000L;
        while (System.nanoTime() < end && !(ctx != null && ctx.isInterrupted()) && !Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        throw new IllegalStateException("worker " + worker + " was stopped while not answering");
    }
}
