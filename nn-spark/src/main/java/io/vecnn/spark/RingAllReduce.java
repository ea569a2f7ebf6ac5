package io.vecnn.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A fixed-order all-reduce over TCP among N workers on a ring (worker i sends to i + 1 mod N).
 *
 * <p>Reduce: worker 0 sends its buffer to worker 1, which adds its own and sends the sum on, and so
 * on: worker N − 1 ends with ((g₀ + g₁) + g₂) + …, the left fold the single-JVM trainer computes.
 * Broadcast: worker N − 1 sends the sum to worker 0, which forwards it round the ring to N − 2. Both
 * phases stream chunks of 16,384 floats, so the workers' links work side by side; each link carries
 * the buffer about twice per step (a ring reduce-scatter carries 2(N − 1)/N, but sums each element in
 * a rotated order, which would change the last bits).
 *
 * <p>Who stopped answering: every step, workers 1 … N − 1 also send a token straight to worker 0
 * when they reach the all-reduce; worker 0 waits {@code timeout} for them and names those missing.
 * Ring reads wait longer (2 × timeout for worker 1, which waits on worker 0 directly; 3 × for the
 * others, who wait on chains), so the first error raised names the worker that stopped.
 */
final class RingAllReduce implements AutoCloseable {
    private static final int CHUNK = 16_384;

    private final int rank;
    private final int size;
    private final String[] addresses;
    private final long timeoutMillis;
    private Socket toNext;
    private Socket fromPrev;
    private DataOutputStream out;
    private DataInputStream in;
    // Tokens "I reached the all-reduce of step s": workers ≥ 1 → worker 0.
    private Socket tokenOut;
    private Socket[] tokenIn;
    private DataInputStream[] tokenStreams;
    private DataOutputStream tokenStream;
    private final byte[] bytes = new byte[CHUNK * 4];
    private final FloatBuffer floats = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    private final float[] incoming = new float[CHUNK];
    private volatile boolean closed;

    private RingAllReduce(int rank, int size, String[] addresses, long timeoutMillis) {
        this.rank = rank;
        this.size = size;
        this.addresses = addresses;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Connects worker {@code rank} to the ring. {@code server} is this worker's bound listening socket,
     * whose address is {@code addresses[rank]} ("host:port"); every worker's is already bound.
     */
    static RingAllReduce connect(int rank, String[] addresses, ServerSocket server, long timeoutMillis) throws IOException {
        int size = addresses.length;
        RingAllReduce r = new RingAllReduce(rank, size, addresses, timeoutMillis);
        if (size == 1) {
            return r;
        }
        try {
            server.setSoTimeout((int) Math.min(Integer.MAX_VALUE, 2 * timeoutMillis));
            // Connect first (the peers listen already), then accept: no worker waits for another's accept.
            int next = (rank + 1) % size;
            r.toNext = open(addresses[next], timeoutMillis, rank, 'R');
            r.out = new DataOutputStream(new BufferedOutputStream(r.toNext.getOutputStream(), 1 << 16));
            if (rank > 0) {
                r.tokenOut = open(addresses[0], timeoutMillis, rank, 'T');
                r.tokenStream = new DataOutputStream(r.tokenOut.getOutputStream());
            } else {
                r.tokenIn = new Socket[size];
                r.tokenStreams = new DataInputStream[size];
            }
            int expected = 1 + (rank == 0 ? size - 1 : 0);
            for (int accepted = 0; accepted < expected; accepted++) {
                Socket s;
                try {
                    s = server.accept();
                } catch (SocketTimeoutException e) {
                    throw new IOException("worker " + rank + ": the other workers did not connect within " + 2 * timeoutMillis + " ms");
                }
                s.setTcpNoDelay(true);
                DataInputStream din = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
                s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, 2 * timeoutMillis));
                int from = din.readInt();
                int kind = din.readByte();
                if (kind == 'R' && from == (rank - 1 + size) % size && r.fromPrev == null) {
                    r.fromPrev = s;
                    r.in = din;
                    s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, (rank == 1 ? 2 : 3) * timeoutMillis));
                } else if (kind == 'T' && rank == 0 && from > 0 && from < size && r.tokenIn[from] == null) {
                    r.tokenIn[from] = s;
                    r.tokenStreams[from] = din;
                    s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis));
                } else {
                    s.close();
                    throw new IOException("worker " + rank + ": unexpected connection from worker " + from + " (" + (char) kind + ")");
                }
            }
            return r;
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private static Socket open(String address, long timeoutMillis, int rank, char kind) throws IOException {
        int colon = address.lastIndexOf(':');
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
                    (int) Math.min(Integer.MAX_VALUE, timeoutMillis));
        } catch (IOException e) {
            s.close();
            throw new IOException("worker " + rank + ": cannot connect to " + address + ": " + e.getMessage(), e);
        }
        s.setTcpNoDelay(true);
        DataOutputStream d = new DataOutputStream(s.getOutputStream());
        d.writeInt(rank);
        d.writeByte(kind);
        d.flush();
        return s;
    }

    /**
     * Replaces {@code buffer} on every worker by the sum of all workers' buffers, added in worker
     * order, and returns the sum of {@code value} (added in the same order, from 0).
     *
     * @param buffer this worker's values; the sum on return
     * @param value  this worker's scalar (e.g. its shard's loss × rows)
     * @param step   the training step, for error messages
     * @return Σ value over the workers, in worker order
     * @throws IOException if a worker does not answer within the timeout, or a connection fails
     */
    double allReduce(float[] buffer, double value, long step) throws IOException {
        if (size == 1) {
            return 0 + value;
        }
        int n = buffer.length;
        double total;
        try {
            checkTokens(step);
            // Reduce along 0 → 1 → … → N−1.
            double prefix = 0;
            if (rank > 0) {
                prefix = in.readDouble();
            }
            double sum = prefix + value;
            if (rank < size - 1) {
                out.writeDouble(sum);
            }
            for (int off = 0; off < n; off += CHUNK) {
                int len = Math.min(CHUNK, n - off);
                if (rank > 0) {
                    readFloats(incoming, len);
                    for (int i = 0; i < len; i++) {
                        buffer[off + i] = incoming[i] + buffer[off + i];
                    }
                }
                if (rank < size - 1) {
                    writeFloats(buffer, off, len);
                }
            }
            out.flush();   // before reading phase 2: the next worker needs the last partial chunk
            // Broadcast N−1 → 0 → 1 → … → N−2.
            boolean forward = (rank + 1) % size != size - 1;
            if (rank == size - 1) {
                total = sum;
                out.writeDouble(total);
                for (int off = 0; off < n; off += CHUNK) {
                    writeFloats(buffer, off, Math.min(CHUNK, n - off));
                }
            } else {
                total = in.readDouble();
                if (forward) {
                    out.writeDouble(total);
                }
                for (int off = 0; off < n; off += CHUNK) {
                    int len = Math.min(CHUNK, n - off);
                    readFloats(incoming, len);
                    System.arraycopy(incoming, 0, buffer, off, len);
                    if (forward) {
                        writeFloats(buffer, off, len);
                    }
                }
            }
            out.flush();
        } catch (SilentWorkerException e) {
            throw e;
        } catch (SocketTimeoutException e) {
            int prev = (rank - 1 + size) % size;
            throw new SilentWorkerException("step " + step + ": worker " + rank + " waited " + ((rank == 1 ? 2 : 3) * timeoutMillis)
                    + " ms for worker " + prev + " (" + addresses[prev] + "), which stopped answering", e);
        } catch (IOException e) {
            if (closed) {
                throw new IOException("step " + step + ": worker " + rank + "'s connections were closed (the task was stopped)", e);
            }
            int prev = (rank - 1 + size) % size;
            // A peer closed its connections because it failed: let its error reach the driver first.
            pause();
            throw new IOException("step " + step + ": worker " + rank + " lost its connection to worker " + prev + " ("
                    + addresses[prev] + ") or " + (rank + 1) % size + " (" + e + "), after that worker failed", e);
        }
        return total;
    }

    /**
     * Every worker's bytes, in worker order (an all-gather round the ring; for small messages such as
     * an epoch's score statistics).
     */
    byte[][] allGather(byte[] mine, long step) throws IOException {
        byte[][] all = new byte[size][];
        all[rank] = mine;
        if (size == 1) {
            return all;
        }
        try {
            // Pass every message round the ring: in round k, send the one from rank − k, receive rank − k − 1's.
            for (int k = 0; k < size - 1; k++) {
                byte[] send = all[(rank - k + size) % size];
                out.writeInt(send.length);
                out.write(send);
                out.flush();
                int len = in.readInt();
                byte[] got = new byte[len];
                in.readFully(got);
                all[(rank - k - 1 + size) % size] = got;
            }
        } catch (SocketTimeoutException e) {
            int prev = (rank - 1 + size) % size;
            throw new IOException("step " + step + ": worker " + rank + " waited for worker " + prev + " (" + addresses[prev]
                    + "), which stopped answering", e);
        }
        return all;
    }

    /** A worker found silent (named in the message): reported at once, not after the pause. */
    static final class SilentWorkerException extends IOException {
        private static final long serialVersionUID = 1L;

        SilentWorkerException(String message) {
            super(message);
        }

        SilentWorkerException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkTokens(long step) throws IOException {
        if (rank > 0) {
            tokenStream.writeLong(step);
            tokenStream.flush();
            return;
        }
        StringBuilder missing = null;
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        for (int w = 1; w < size; w++) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
            tokenIn[w].setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            try {
                long s = tokenStreams[w].readLong();
                if (s != step) {
                    throw new IOException("step " + step + ": worker " + w + " is at step " + s + "; the workers are out of step");
                }
            } catch (SocketTimeoutException e) {
                missing = (missing == null ? new StringBuilder() : missing.append(", ")).append("worker ").append(w).append(" (")
                        .append(addresses[w]).append(')');
            }
        }
        if (missing != null) {
            throw new SilentWorkerException("step " + step + ": " + missing + " did not reach the all-reduce within " + timeoutMillis
                    + " ms (stopped answering); worker 0 gives up");
        }
    }

    private void readFloats(float[] dst, int len) throws IOException {
        in.readFully(bytes, 0, len * 4);
        floats.clear();
        floats.get(dst, 0, len);
    }

    private void writeFloats(float[] src, int off, int len) throws IOException {
        floats.clear();
        floats.put(src, off, len);
        out.write(bytes, 0, len * 4);
    }

    /** Closes every connection (unblocking a thread waiting in them). */
    @Override
    public void close() {
        closed = true;
        closeQuietly(toNext);
        closeQuietly(fromPrev);
        closeQuietly(tokenOut);
        if (tokenIn != null) {
            for (Socket s : tokenIn) {
                closeQuietly(s);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing: nothing left to do
            }
        }
    }
}
