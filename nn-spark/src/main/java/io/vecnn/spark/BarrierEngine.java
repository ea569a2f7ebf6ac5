package io.vecnn.spark;

import io.vecnn.api.Gradients;
import io.vecnn.train.Evaluation;
import io.vecnn.train.ShardWorker;
import io.vecnn.train.StepEngine;

import java.io.IOException;

/**
 * The engine inside one barrier task: this worker's shard computed by a {@link ShardWorker}, the
 * buffers summed over the ring in worker order, so every worker's trainer applies the same update.
 */
final class BarrierEngine implements StepEngine {
    private final ShardWorker worker;
    private final RingAllReduce ring;
    private final Fault fault;
    private final int attempt;

    BarrierEngine(ShardWorker worker, RingAllReduce ring, Fault fault, int attempt) {
        this.worker = worker;
        this.ring = ring;
        this.fault = fault;
        this.attempt = attempt;
    }

    @Override
    public double step(int epoch, int[] order, int from, int rows, long step, Evaluation.Accumulator score) throws IOException {
        if (fault != null) {
            fault.maybeStrike(worker.shard(), step, attempt);
        }
        worker.compute(order, from, rows, step);
        double total = ring.allReduce(worker.gradients().buffer(), worker.lastLoss() * worker.lastRows(), step);
        if (from + rows == order.length) {
            // The epoch's last batch: every worker adds all shards' statistics, in shard order.
            byte[][] all = ring.allGather(Payloads.serialize(worker.score()), step);
            for (byte[] b : all) {
                score.add(Payloads.deserialize(b, Evaluation.Accumulator.class));
            }
            worker.score().reset();
        }
        return total / rows;
    }

    @Override
    public Gradients gradients() {
        return worker.gradients();
    }

    @Override
    public void close() {
        worker.close();
    }
}
