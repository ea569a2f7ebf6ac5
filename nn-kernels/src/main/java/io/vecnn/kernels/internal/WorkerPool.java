package io.vecnn.kernels.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed set of daemon threads that run the parts of one task at a time. The calling thread runs
 * part 0 and then claims whatever parts no worker has claimed yet, so a worker that wakes late (a
 * parked thread on a busy machine can take tens of microseconds) costs nothing: the caller does the
 * work itself. Parts are fixed ranges, so who runs which part changes no result.
 *
 * <p>Hand-off allocates nothing: the task object is the caller's, and workers wait by spinning
 * briefly and then parking. One task runs at a time; a caller that finds the pool busy is told so
 * and runs its work itself.
 */
public final class WorkerPool {
    /** Work split into parts that may run on different threads. */
    public interface Task {
        void run(int part);
    }

    private static final long SPIN_NANOS = 50_000;
    private static WorkerPool shared;

    private final Worker[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    /** Parts claimed but not finished, plus parts not yet claimed (all but part 0). */
    private final AtomicInteger remaining = new AtomicInteger();
    /**
     * One snapshot of what may be claimed: the generation (bits 32–63), its part count (16–31) and
     * the next unclaimed part (0–15). In one word so that a claim cannot mix two generations.
     */
    private final AtomicLong claims = new AtomicLong();
    private volatile Thread caller;
    private volatile Throwable failure;
    // Written before the volatile write of generation, read after its volatile read.
    private Task task;
    private volatile int generation;

    private WorkerPool(int workerCount) {
        workers = new Worker[workerCount];
        for (int i = 0; i < workerCount; i++) {
            workers[i] = new Worker(this, "vecnn-worker-" + (i + 1));
            workers[i].start();
        }
    }

    /** The process-wide pool, grown to at least {@code workerCount} workers. */
    public static synchronized WorkerPool shared(int workerCount) {
        if (shared == null || shared.workers.length < workerCount) {
            shared = new WorkerPool(workerCount);
        }
        return shared;
    }

    public int workers() {
        return workers.length;
    }

    /**
     * Runs {@code task.run(p)} for p in [0, parts) and returns when all are done: part 0 on the
     * calling thread, the others on whichever thread claims them first (the caller included).
     * Returns false, having run nothing, if the pool is busy with another caller's task or
     * {@code parts - 1} exceeds the workers.
     */
    public boolean tryRun(Task task, int parts) {
        if (parts - 1 > workers.length || parts > 0xFFFF || !lock.tryLock()) {
            return false;
        }
        try {
            caller = Thread.currentThread();
            failure = null;
            this.task = task;
            remaining.set(parts - 1);
            int gen = generation + 1;
            claims.set((long) gen << 32 | (long) parts << 16 | 1);
            generation = gen; // publishes the task
            for (int w = 0; w < parts - 1; w++) {
                workers[w].wake();
            }
            Throwable own = null;
            try {
                task.run(0);
            } catch (Throwable t) {
                own = t;
            }
            // Take over the parts no worker has started: a late worker then finds none left.
            runClaimed(gen, task);
            awaitWorkers();
            Throwable f = own != null ? own : failure;
            if (f instanceof RuntimeException re) {
                throw re;
            }
            if (f instanceof Error e) {
                throw e;
            }
            if (f != null) {
                throw new IllegalStateException(f);
            }
            return true;
        } finally {
            this.task = null;
            caller = null;
            lock.unlock();
        }
    }

    /** Runs parts of generation {@code gen} as long as any is left unclaimed, on the calling thread. */
    private void runClaimed(int gen, Task t) {
        for (int p; (p = claim(gen)) >= 0; ) {
            Throwable failure = null;
            try {
                t.run(p);
            } catch (Throwable e) {
                failure = e;
            }
            partDone(failure);
        }
    }

    /** The next unclaimed part of generation {@code gen}, or −1 if none is left (or gen is over). */
    private int claim(int gen) {
        while (true) {
            long c = claims.get();
            int next = (int) (c & 0xFFFF);
            if ((int) (c >>> 32) != gen || next >= (int) ((c >>> 16) & 0xFFFF)) {
                return -1;
            }
            if (claims.compareAndSet(c, c + 1)) {
                return next;
            }
        }
    }

    private void awaitWorkers() {
        long start = System.nanoTime();
        int spins = 0;
        while (remaining.get() > 0) {
            if (++spins < 64 || System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
    }

    private void partDone(Throwable t) {
        if (t != null) {
            failure = t;
        }
        if (remaining.decrementAndGet() == 0) {
            Thread c = caller;
            if (c != null && c != Thread.currentThread()) {
                LockSupport.unpark(c);
            }
        }
    }

    private static final class Worker extends Thread {
        private final WorkerPool pool;

        Worker(WorkerPool pool, String name) {
            super(name);
            this.pool = pool;
            setDaemon(true);
        }

        void wake() {
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            int seen = 0;
            while (true) {
                long start = System.nanoTime();
                int spins = 0;
                while (pool.generation == seen) {
                    if (++spins < 64 || System.nanoTime() - start < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                seen = pool.generation;
                Task t = pool.task;
                // A claim succeeds only while generation `seen` is running, so t is that task's.
                if (t != null) {
                    pool.runClaimed(seen, t);
                }
            }
        }
    }
}
