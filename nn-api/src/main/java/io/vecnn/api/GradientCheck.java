package io.vecnn.api;

import java.util.List;
import java.util.Objects;

/**
 * Checks a model's backward pass against central finite differences of its loss, for any model
 * and loss.
 *
 * <p>For each checked parameter element w, the numerical derivative is
 * (L(w + ε) − L(w − ε)) / (w₊ − w₋), where w₊ and w₋ are the float32 values actually stored (so the
 * rounding of w ± ε does not bias the quotient) and L is the loss of the same batch, accumulated in
 * double by the loss. The analytic derivative is what backward adds into the gradient. They agree
 * if |analytic − numeric| ≤ atol + rtol·max(|analytic|, |numeric|).
 *
 * <h2>Why these defaults (ε = 1e-2, atol = 1e-3, rtol = 2e-2)</h2>
 * The forward pass runs in float32: a loss of size |L| carries a rounding error of roughly
 * √k·u·|L| for sums of length k, with u = 6e-8, about 1e-6·|L| for the widths used in tests. The
 * central difference divides that error by 2ε, giving 5e-5·|L| at ε = 1e-2; it also carries a
 * truncation error ε²·|L‴|/6 ≈ 2e-5·|L‴|. Smaller ε would drown the quotient in rounding noise
 * (at ε = 1e-4 the noise reaches 5e-3·|L|); larger ε would let curvature dominate. atol covers
 * gradients near 0 with |L| up to about 10; rtol covers the truncation term on smooth
 * activations. A wrong gradient (a missing term, a transposed index, a wrong factor) misses by far
 * more than both. Kinks (ReLU at 0) give wrong numeric derivatives when w ± ε crosses them: check
 * those layers with inputs away from the kink, or with a smaller ε.
 */
public final class GradientCheck {
    private double epsilon = 1e-2;
    private double absoluteTolerance = 1e-3;
    private double relativeTolerance = 2e-2;
    private int maxPerParameter = Integer.MAX_VALUE;
    private long step;

    /** A check with the default ε and tolerances. */
    public GradientCheck() {
    }

    /**
     * The perturbation ε (default 1e-2).
     *
     * @param epsilon the step of the central differences, &gt; 0
     * @return this check, for chaining
     */
    public GradientCheck epsilon(double epsilon) {
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be finite and > 0, got " + epsilon);
        }
        this.epsilon = epsilon;
        return this;
    }

    /**
     * The tolerances: absolute (default 1e-3) and relative (default 2e-2).
     *
     * @param absolute the absolute tolerance
     * @param relative the relative tolerance
     * @return this check, for chaining
     */
    public GradientCheck tolerance(double absolute, double relative) {
        if (!(absolute >= 0) || !(relative >= 0)) {
            throw new IllegalArgumentException("tolerances must be >= 0, got " + absolute + " and " + relative);
        }
        this.absoluteTolerance = absolute;
        this.relativeTolerance = relative;
        return this;
    }

    /**
     * Checks at most this many elements per parameter, evenly spaced (default: all).
     *
     * @param max the most elements checked per parameter, at least 1
     * @return this check, for chaining
     */
    public GradientCheck maxPerParameter(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxPerParameter must be >= 1, got " + max);
        }
        this.maxPerParameter = max;
        return this;
    }

    /**
     * The training step passed to forward passes (fixes dropout masks; default 0).
     *
     * @param step the step number
     * @return this check, for chaining
     */
    public GradientCheck step(long step) {
        this.step = step;
        return this;
    }

    /**
     * Runs the check on one batch of a single-input model, in a training workspace of its own (so
     * the model's parameter values end unchanged).
     *
     * @param model the model whose gradients are checked
     * @param loss the loss to differentiate
     * @param input the input batch
     * @param target the targets of the batch
     * @return the comparison of analytic and numerical gradients
     */
    public Result check(Model model, Loss loss, Matrix input, Matrix target) {
        return check(model, loss, new Matrix[] {input}, target);
    }

    /**
     * Runs the check on one batch per input of a model (in {@link Model#inputNames()} order).
     *
     * @param model the model whose gradients are checked
     * @param loss the loss to differentiate
     * @param inputs one batch per input
     * @param target the targets of the batch
     * @return the comparison of analytic and numerical gradients
     */
    public Result check(Model model, Loss loss, Matrix[] inputs, Matrix target) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(loss, "loss");
        try (Model.Workspace ws = model.newTrainingWorkspace()) {
            Matrix out = ws.forward(inputs, Mode.TRAINING, step);
            Matrix grad = Matrix.zeros(out.rows(), out.cols());
            double loss0 = loss.compute(out, target, grad, ws.kernels());
            ws.backward(grad);
            Gradients gradients = ws.gradients();

            int checked = 0;
            String worstName = null;
            int worstIndex = -1;
            double worstA = 0, worstN = 0, worstRatio = -1;
            List<Parameter> ps = model.parameters();
            for (int pi = 0; pi < ps.size(); pi++) {
                Parameter p = ps.get(pi);
                float[] v = p.value().data();
                int vo = p.value().offset();
                Matrix gm = gradients.get(pi);
                boolean[] mask = p.mask();
                int n = p.size();
                int stride = Math.max(1, (int) Math.ceil(n / (double) Math.min(n, maxPerParameter)));
                for (int i = 0; i < n; i += stride) {
                    if (mask != null && !mask[i]) {
                        continue;
                    }
                    float w0 = v[vo + i];
                    float wPlus = (float) (w0 + epsilon);
                    float wMinus = (float) (w0 - epsilon);
                    v[vo + i] = wPlus;
                    double lPlus = loss.compute(ws.forward(inputs, Mode.TRAINING, step), target, null, ws.kernels());
                    v[vo + i] = wMinus;
                    double lMinus = loss.compute(ws.forward(inputs, Mode.TRAINING, step), target, null, ws.kernels());
                    v[vo + i] = w0;
                    double numeric = (lPlus - lMinus) / ((double) wPlus - (double) wMinus);
                    double analytic = gm.data()[gm.offset() + i];
                    double allowed = absoluteTolerance + relativeTolerance * Math.max(Math.abs(analytic), Math.abs(numeric));
                    double ratio = Math.abs(analytic - numeric) / allowed;
                    if (Double.isNaN(ratio)) {
                        ratio = Double.POSITIVE_INFINITY;
                    }
                    if (ratio > worstRatio) {
                        worstRatio = ratio;
                        worstName = p.name();
                        worstIndex = i;
                        worstA = analytic;
                        worstN = numeric;
                    }
                    checked++;
                }
            }
            return new Result(loss0, checked, worstName, worstIndex, worstA, worstN, worstRatio, gradients);
        }
    }

    /**
     * The outcome of a check.
     *
     * @param loss          the loss of the batch at the unperturbed parameters
     * @param checked       how many elements were compared
     * @param worstParameter the parameter with the largest error relative to its tolerance (null if none checked)
     * @param worstIndex    its element index (row-major)
     * @param analytic      the analytic derivative there
     * @param numeric       the numerical derivative there
     * @param worstRatio    |analytic − numeric| / tolerance there; the check passes if ≤ 1
     * @param gradients     the analytic gradients of the batch (what backward computed)
     */
    public record Result(double loss, int checked, String worstParameter, int worstIndex,
                         double analytic, double numeric, double worstRatio, Gradients gradients) {
        /**
         * Whether every compared element agreed within the tolerance.
         *
         * @return true if the check passed
         */
        public boolean passed() {
            return checked > 0 && worstRatio <= 1.0;
        }

        @Override
        public String toString() {
            return (passed() ? "passed" : "FAILED") + ": " + checked + " elements, worst " + worstParameter + "["
                    + worstIndex + "] analytic " + analytic + " numeric " + numeric + " (" + worstRatio
                    + " of tolerance), loss " + loss;
        }
    }
}
