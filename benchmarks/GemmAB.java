import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Random;

/**
 * Compares two builds (or two settings) of the CPU GEMM call by call, in one JVM.
 *
 * <p>Why: on this shared machine the same GEMM moves by up to 50% from one minute to the next, so two
 * separate benchmark runs cannot tell a 5% change from noise. Here each side is loaded by its own class
 * loader (with its own system properties, read by VectorSgemm's static block sizes), and the calls
 * alternate A, B, B, A, ...: each pair meets the same machine, and the median of the pairs' ratios is
 * what the change did. Run A against A first: it should print a ratio near 1.00 and about half wins.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector benchmarks/GemmAB.java \
 *     target/myelin.jar - /tmp/other.jar myelin.mc=128,myelin.threads=1 1024 200
 * </pre>
 * Arguments: jar A, its properties ({@code -} for none), jar B, its properties, N (square product), pairs.
 */
public final class GemmAB {
    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: GemmAB JAR_A PROPS_A JAR_B PROPS_B N PAIRS  (PROPS: k=v,k=v or -)");
            System.exit(2);
        }
        Method a;
        Method b;
        try {
            a = load(args[0], args[1]);
            b = load(args[2], args[3]);
        } catch (IllegalArgumentException e) {
            System.err.println("GemmAB: " + e.getMessage());
            System.exit(2);
            return;
        }
        int n = Integer.parseInt(args[4]);
        int pairs = Integer.parseInt(args[5]);
        Product product = new Product(n);
        for (int i = 0; i < 10; i++) { // both sides compiled by C2 before anything counts
            product.gflops(a);
            product.gflops(b);
        }
        List<Double> gflopsA = new ArrayList<>();
        List<Double> gflopsB = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            // Each side runs first in half of the pairs: neither always follows the other's cache traffic.
            double ga;
            double gb;
            if (i % 2 == 0) {
                ga = product.gflops(a);
                gb = product.gflops(b);
            } else {
                gb = product.gflops(b);
                ga = product.gflops(a);
            }
            gflopsA.add(ga);
            gflopsB.add(gb);
            ratios.add(gb / ga);
        }
        long wins = ratios.stream().filter(r -> r > 1).count();
        System.out.printf("N=%d  A median %.1f GFLOP/s  B median %.1f GFLOP/s  median of B/A per pair %.3f  B faster in %d of %d pairs%n",
                n, median(gflopsA), median(gflopsB), median(ratios), wins, pairs);
    }

    /** One n x n x n product on fixed random operands, timed. */
    private static final class Product {
        final int n;
        final float[] x;
        final float[] y;
        final float[] z;

        Product(int n) {
            this.n = n;
            x = new float[n * n];
            y = new float[n * n];
            z = new float[n * n];
            Random random = new Random(1);
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextFloat();
                y[i] = random.nextFloat();
            }
        }

        /** Runs the product with one side's sgemm; its GFLOP/s. */
        double gflops(Method sgemm) throws ReflectiveOperationException {
            long t0 = System.nanoTime();
            sgemm.invoke(null, false, false, n, n, n, 1f, x, y, 0f, z);
            return 2.0 * n * n * n / (System.nanoTime() - t0);
        }
    }

    /** VectorSgemm.sgemm from its own loader, its static settings read with {@code props} set. */
    private static Method load(String jar, String props) throws Exception {
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalArgumentException(jar + ": no such jar");
        }
        Properties saved = (Properties) System.getProperties().clone();
        try {
            if (!props.equals("-")) {
                for (String kv : props.split(",")) {
                    String[] p = kv.split("=", 2);
                    if (p.length != 2) {
                        throw new IllegalArgumentException(props + ": expected k=v,k=v or -");
                    }
                    System.setProperty(p[0], p[1]);
                }
            }
            URLClassLoader loader = new URLClassLoader(new URL[]{Path.of(jar).toUri().toURL()},
                    ClassLoader.getPlatformClassLoader());
            Class<?> gemm = Class.forName("dev.myelin.backend.cpu.VectorSgemm", true, loader);
            Class.forName("dev.myelin.backend.cpu.Parallel", true, loader); // its thread count, under props
            Method sgemm = gemm.getDeclaredMethod("sgemm", boolean.class, boolean.class, int.class, int.class,
                    int.class, float.class, float[].class, float[].class, float.class, float[].class);
            sgemm.setAccessible(true);
            return sgemm;
        } finally {
            System.setProperties(saved);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
