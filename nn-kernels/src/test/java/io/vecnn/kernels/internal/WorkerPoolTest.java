package io.vecnn.kernels.internal;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool's hand-off: every part runs exactly once, whoever claims it, across many generations. */
class WorkerPoolTest {
    @Test
    void everyPartRunsExactlyOnceWhateverThreadClaimsIt() {
        WorkerPool pool = WorkerPool.shared(2);
        SplittableRandom r = new SplittableRandom(3);
        int rounds = 20_000;
        AtomicIntegerArray runs = new AtomicIntegerArray(3);
        int[] work = new int[3];
        boolean[] ranOnWorker = {false};
        Thread caller = Thread.currentThread();
        for (int i = 0; i < rounds; i++) {
            int parts = 1 + r.nextInt(3);
            for (int p = 0; p < 3; p++) {
                work[p] = r.nextInt(2_000); // uneven parts, so claims race in both directions
            }
            assertTrue(pool.tryRun(part -> {
                long x = 0;
                for (int k = 0; k < work[part]; k++) {
                    x += k * 31L;
                }
                if (x == -1) {
                    throw new AssertionError();
                }
                if (Thread.currentThread() != caller) {
                    ranOnWorker[0] = true;
                }
                runs.incrementAndGet(part);
            }, parts));
            for (int p = 0; p < 3; p++) {
                assertEquals(p < parts ? 1 : 0, runs.getAndSet(p, 0), "round " + i + ", part " + p + " of " + parts);
            }
        }
        assertTrue(ranOnWorker[0], "no part ever ran on a worker");
    }

    @Test
    void aFailingPartIsRethrownToTheCaller() {
        WorkerPool pool = WorkerPool.shared(2);
        IllegalStateException boom = new IllegalStateException("part 1 failed");
        for (int i = 0; i < 100; i++) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.tryRun(part -> {
                if (part == 1) {
                    throw boom;
                }
            }, 2));
            assertSame(boom, e);
            // the pool is usable afterwards
            int[] count = new int[1];
            assertTrue(pool.tryRun(part -> {
                synchronized (count) {
                    count[0]++;
                }
            }, 2));
            assertEquals(2, count[0]);
        }
    }
}
