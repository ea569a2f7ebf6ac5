package io.vecnn.spark;

import org.apache.spark.ExceptionFailure;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the errors of failed barrier tasks on the driver: Spark's own message for a failed
 * barrier stage says only which task failed, not why.
 */
final class BarrierFailures extends SparkListener {
    private record Failure(int attempt, int worker, String message) {
    }

    private final List<Failure> failures = new ArrayList<>();

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.reason() instanceof ExceptionFailure f) {
            synchronized (failures) {
                failures.add(new Failure(end.stageAttemptId(), end.taskInfo().index(), f.description()));
                failures.notifyAll();
            }
        }
    }

    /**
     * The most telling error of the last attempt (waiting up to 3 s for the events): worker 0's
     * report of who did not reach the all-reduce, else a report of a worker that stopped answering,
     * else the first error.
     */
    String describe() {
        synchronized (failures) {
            long end = System.nanoTime() + 3_000_000_000L;
            while (failures.isEmpty() && System.nanoTime() < end) {
                try {
                    failures.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (failures.isEmpty()) {
                return null;
            }
            int last = failures.stream().mapToInt(Failure::attempt).max().getAsInt();
            List<Failure> latest = failures.stream().filter(f -> f.attempt() == last).toList();
            Failure best = latest.stream().filter(f -> f.message().contains("did not reach the all-reduce")).findFirst()
                    .orElse(latest.stream().filter(f -> f.message().contains("stopped answering")).findFirst().orElse(latest.get(0)));
            return "worker " + best.worker() + " failed (stage attempt " + (last + 1) + "): " + best.message();
        }
    }
}
