package io.vecnn.train;

/**
 * A model's loss and accuracy on a dataset, with the confusion matrix.
 *
 * @param loss      mean loss
 * @param accuracy  fraction of samples whose arg-max output is their label
 * @param confusion {@code confusion[actual][predicted]} counts
 */
public record Evaluation(double loss, double accuracy, int[][] confusion) {
    /** The confusion matrix as an aligned text table. */
    public String confusionTable() {
        int k = confusion.length;
        StringBuilder sb = new StringBuilder("actual\\predicted");
        for (int j = 0; j < k; j++) {
            sb.append(String.format("%6d", j));
        }
        sb.append('\n');
        for (int i = 0; i < k; i++) {
            sb.append(String.format("%16d", i));
            for (int j = 0; j < k; j++) {
                sb.append(String.format("%6d", confusion[i][j]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
