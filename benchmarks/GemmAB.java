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
 * Arguments: jar A, its properties ({@code -} for none), jar B, its properties, the shape, pairs. The
 * shape is N (a square product) or MxNxK, with {@code :TN}, {@code :NT} or {@code :TT} after it for the
 * transposes the backward pass uses (T: that operand stored transposed, A as [K, M], B as [N, K]).
 */
public final class GemmAB {
    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: GemmAB JAR_A PROPS_A JAR_B PROPS_B N|MxNxK[:TN|NT|TT] PAIRS  (PROPS: k=v,k=v or -)");
            System.exit(2);
        }
        Method a;
        Method b;
        Product product;
        try {
            a = load(args[0], args[1]);
            b = load(args[2], args[3]);
            product = Product.parse(args[4]);
        } catch (IllegalArgumentException e) {
            System.err.println("GemmAB: " + e.getMessage());
            System.exit(2);
            return;
        }
        int pairs = Integer.parseInt(args[5]);
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
        System.out.printf("%s  A median %.1f GFLOP/s  B median %.1f GFLOP/s  median of B/A per pair %.3f  B faster in %d of %d pairs%n",
                product, median(gflopsA), median(gflopsB), median(ratios), wins, pairs);
    }

    /** One m x n x k product, op(A) * op(B), on fixed random operands, timed. */
    private static final class Product {
        final int m;
        final int n;
        final int k;
        final boolean transA;
        final boolean transB;
        final float[] x;
        final float[] y;
        final float[] z;

        /** N, or MxNxK with an optional :TN, :NT or :TT. */
        static Product parse(String shape) {
            String[] parts = shape.split(":", 2);
            String ops = parts.length == 2 ? parts[1] : "NN";
            if (!ops.matches("[NT]{2}")) {
                throw new IllegalArgumentException(shape + ": the transposes are two letters of N and T, as in :TN");
            }
            String[] dims = parts[0].split("x");
            try {
                if (dims.length == 1) {
                    int size = Integer.parseInt(dims[0]);
                    return new Product(size, size, size, ops);
                }
                if (dims.length == 3) {
                    return new Product(Integer.parseInt(dims[0]), Integer.parseInt(dims[1]), Integer.parseInt(dims[2]), ops);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(shape + ": expected N or MxNxK, as in 2048 or 4096x4096x256:TN");
        }

        Product(int m, int n, int k, String ops) {
            this.m = m;
            this.n = n;
            this.k = k;
            transA = ops.charAt(0) == 'T';
            transB = ops.charAt(1) == 'T';
            x = new float[m * k];
            y = new float[k * n];
            z = new float[m * n];
            Random random = new Random(1);
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextFloat();
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = random.nextFloat();
            }
        }

        @Override
        public String toString() {
            return m == n && n == k && !transA && !transB ? "N=" + n
                    : m + "x" + n + "x" + k + ":" + (transA ? "T" : "N") + (transB ? "T" : "N");
        }

        /** Runs the product with one side's sgemm; its GFLOP/s. */
        double gflops(Method sgemm) throws ReflectiveOperationException {
            long t0 = System.nanoTime();
            sgemm.invoke(null, transA, transB, m, n, k, 1f, x, y, 0f, z);
            return 2.0 * m * n * k / (System.nanoTime() - t0);
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
