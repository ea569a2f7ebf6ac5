package io.vecnn.layers;

/**
 * An independent double-precision network that implements the seeds' four equations literally,
 * one neuron at a time (seed 004's notation: zˡⱼ = Σₖ wˡⱼₖ aˡ⁻¹ₖ + bˡⱼ, aˡⱼ = f(zˡⱼ);
 * δᴸ = ∇ₐC ⊙ f′(zᴸ); δˡ = ((Wˡ⁺¹)ᵀδˡ⁺¹) ⊙ f′(zˡ); ∂C/∂bˡⱼ = δˡⱼ; ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ), averaged
 * over the batch. It shares no code with the framework: activations and losses are re-derived here.
 */
final class DoubleReference {
    final double[][][] w;   // [layer][out][in]
    final double[][] b;     // [layer][out]
    final String[] f;       // activation names
    final double alpha;
    final double[][][] gw;
    final double[][] gb;

    DoubleReference(double[][][] w, double[][] b, String[] f, double alpha) {
        this.w = w;
        this.b = b;
        this.f = f;
        this.alpha = alpha;
        gw = new double[w.length][][];
        gb = new double[w.length][];
        for (int l = 0; l < w.length; l++) {
            gw[l] = new double[w[l].length][w[l][0].length];
            gb[l] = new double[w[l].length];
        }
    }

    static double f(String name, double a, double z) {
        return switch (name) {
            case "identity" -> z;
            case "sigmoid" -> 1 / (1 + Math.exp(-z));
            case "tanh" -> Math.tanh(z);
            case "relu" -> z > 0 ? z : 0;
            case "leaky" -> z > 0 ? z : a * z;
            case "elu" -> z > 0 ? z : a * (Math.exp(z) - 1);
            case "gelu" -> 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));
            case "gelu_erf" -> z * normalCdf(z);
            case "softplus" -> Math.log(1 + Math.exp(z));
            case "silu" -> z / (1 + Math.exp(-z));
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Φ(z) = ½ + ∫₀^z φ(t) dt by Simpson's rule over 2,000 intervals (independent of the kernels' erfc). */
    static double normalCdf(double z) {
        int n = 2000;
        double h = z / n, sum = 0;
        for (int i = 0; i <= n; i++) {
            double t = i * h;
            sum += (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2) * Math.exp(-0.5 * t * t);
        }
        return 0.5 + sum * h / 3 / Math.sqrt(2 * Math.PI);
    }

    static double df(String name, double a, double z) {
        return switch (name) {
            case "identity" -> 1;
            case "sigmoid" -> f("sigmoid", a, z) * (1 - f("sigmoid", a, z));
            case "tanh" -> 1 - Math.tanh(z) * Math.tanh(z);
            case "relu" -> z > 0 ? 1 : 0;
            case "leaky" -> z > 0 ? 1 : a;
            case "elu" -> z > 0 ? 1 : a * Math.exp(z);
            case "gelu" -> {
                double c = Math.sqrt(2 / Math.PI);
                double u = c * (z + 0.044715 * z * z * z);
                double t = Math.tanh(u);
                yield 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * c * (1 + 3 * 0.044715 * z * z);
            }
            case "gelu_erf" -> normalCdf(z) + z * Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
            case "softplus" -> 1 / (1 + Math.exp(-z));
            case "silu" -> {
                double s = 1 / (1 + Math.exp(-z));
                yield s + z * s * (1 - s);
            }
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * One forward and backward pass over a batch; returns the mean loss and leaves the mean gradients
     * in gw and gb.
     */
    double run(double[][] x, double[][] y, String loss) {
        int batch = x.length;
        int layers = w.length;
        double total = 0;
        for (int l = 0; l < layers; l++) {
            for (double[] row : gw[l]) {
                java.util.Arrays.fill(row, 0);
            }
            java.util.Arrays.fill(gb[l], 0);
        }
        for (int s = 0; s < batch; s++) {
            double[][] z = new double[layers][];
            double[][] act = new double[layers + 1][];
            act[0] = x[s];
            for (int l = 0; l < layers; l++) {
                int out = w[l].length;
                z[l] = new double[out];
                act[l + 1] = new double[out];
                for (int j = 0; j < out; j++) {
                    double sum = b[l][j];
                    for (int k = 0; k < act[l].length; k++) {
                        sum += w[l][j][k] * act[l][k];
                    }
                    z[l][j] = sum;
                    act[l + 1][j] = f(f[l], alpha, sum);
                }
            }
            double[] aL = act[layers];
            int n = aL.length;
            // ∇ₐC for the loss, and the loss itself.
            double[] gradA = new double[n];
            double c = 0;
            switch (loss) {
                case "quadratic" -> {
                    for (int j = 0; j < n; j++) {
                        c += 0.5 * (aL[j] - y[s][j]) * (aL[j] - y[s][j]);
                        gradA[j] = aL[j] - y[s][j];
                    }
                }
                case "bce" -> {
                    for (int j = 0; j < n; j++) {
                        double p = 1 / (1 + Math.exp(-aL[j]));
                        c += -(y[s][j] * Math.log(p) + (1 - y[s][j]) * Math.log(1 - p));
                        gradA[j] = p - y[s][j];
                    }
                }
                case "softmax-ce" -> {
                    double max = Double.NEGATIVE_INFINITY;
                    for (double v : aL) {
                        max = Math.max(max, v);
                    }
                    double sum = 0;
                    for (double v : aL) {
                        sum += Math.exp(v - max);
                    }
                    for (int j = 0; j < n; j++) {
                        double p = Math.exp(aL[j] - max) / sum;
                        c += -y[s][j] * Math.log(p);
                        gradA[j] = p - y[s][j];
                    }
                }
                default -> throw new IllegalArgumentException(loss);
            }
            total += c;
            // δᴸ = ∇ₐC ⊙ f′(zᴸ)
            double[] delta = new double[n];
            for (int j = 0; j < n; j++) {
                delta[j] = gradA[j] * df(f[layers - 1], alpha, z[layers - 1][j]);
            }
            for (int l = layers - 1; l >= 0; l--) {
                for (int j = 0; j < delta.length; j++) {
                    gb[l][j] += delta[j] / batch;
                    for (int k = 0; k < act[l].length; k++) {
                        gw[l][j][k] += act[l][k] * delta[j] / batch;
                    }
                }
                if (l > 0) {
                    // δˡ⁻¹ = ((Wˡ)ᵀδˡ) ⊙ f′(zˡ⁻¹)
                    double[] prev = new double[act[l].length];
                    for (int k = 0; k < prev.length; k++) {
                        double sum = 0;
                        for (int j = 0; j < delta.length; j++) {
                            sum += w[l][j][k] * delta[j];
                        }
                        prev[k] = sum * df(f[l - 1], alpha, z[l - 1][k]);
                    }
                    delta = prev;
                }
            }
        }
        return total / batch;
    }
}
