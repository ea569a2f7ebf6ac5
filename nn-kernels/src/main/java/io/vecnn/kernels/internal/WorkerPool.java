package io.vecnn.kernels.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed set of daemon threads that run the parts of one task at a time, the calling thread
 * taking part 0. Hand-off allocates nothing: the task object is the caller's, the workers wait by
 * spinning briefly and then parking. One task runs at a time; a caller that finds the pool busy
 * is told so and runs its work itself (the results do not depend on the split).
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
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile Thread caller;
    private volatile Throwable failure;

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
     * Runs {@code task.run(p)} for p in [0, parts), part 0 on the calling thread, and returns when
     * all are done. Returns false, having run nothing, if the pool is busy with another caller's
     * task or {@code parts - 1} exceeds the workers.
     */
    public boolean tryRun(Task task, int parts) {
        if (parts - 1 > workers.length || !lock.tryLock()) {
            return false;
        }
        try {
            caller = Thread.currentThread();
            failure = null;
            remaining.set(parts - 1);
            for (int p = 1; p < parts; p++) {
                workers[p - 1].assign(task, p);
            }
            Throwable own = null;
            try {
                task.run(0);
            } catch (Throwable t) {
                own = t;
            }
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
            caller = null;
            lock.unlock();
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
            LockSupport.unpark(caller);
        }
    }

    private static final class Worker extends Thread {
        private final WorkerPool pool;
        private Task task;
        private int part;
        private volatile long assigned;

        Worker(WorkerPool pool, String name) {
            super(name);
            this.pool = pool;
            setDaemon(true);
        }

        void assign(Task t, int p) {
            task = t;
            part = p;
            assigned = assigned + 1; // volatile write publishes task and part
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long start = System.nanoTime();
                int spins = 0;
                while (assigned == seen) {
                    if (++spins < 64 || System.nanoTime() - start < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                seen = assigned;
                Throwable failure = null;
                try {
                    task.run(part);
                } catch (Throwable t) {
                    failure = t;
                }
                task = null;
                pool.partDone(failure);
            }
        }
    }
}
