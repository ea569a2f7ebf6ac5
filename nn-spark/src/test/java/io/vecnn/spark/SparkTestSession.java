package io.vecnn.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** One local Spark for all tests of the module (starting one costs seconds). */
final class SparkTestSession {
    private SparkTestSession() {
    }

    private static SparkSession session;

    /** local[3,2]: three task slots (a barrier stage of 3), a failed task or stage retried once. */
    static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder().master("local[3,2]").appName("vecnn-spark-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "3")
                    .config("spark.stage.maxConsecutiveAttempts", "2")
                    .getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
        }
        return session;
    }

    static JavaSparkContext context() {
        return JavaSparkContext.fromSparkContext(get().sparkContext());
    }
}
