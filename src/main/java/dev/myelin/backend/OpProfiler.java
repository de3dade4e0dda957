package dev.myelin.backend;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A developer's view of where a run spends its time, per backend op: with {@code -Dmyelin.profile=ops}
 * every backend that {@link Backends#open} returns is wrapped so that each call is timed, and a table
 * of the totals (calls, milliseconds, share) goes to stderr when the JVM exits.
 *
 * <p>Times are host wall time around each call, which for an asynchronous device (OpenCL, CUDA) is the
 * enqueue cost, not the kernel's; on the CPU backend, where every op completes before it returns, it is
 * the op's own time. The proxy's reflection adds about a microsecond per call.
 */
public final class OpProfiler implements InvocationHandler {
    private record Totals(LongAdder calls, LongAdder nanos) {
    }

    private final Backend target;
    private final Map<String, Totals> totals = new ConcurrentHashMap<>();

    private OpProfiler(Backend target) {
        this.target = target;
    }

    static boolean enabled() {
        return "ops".equals(System.getProperty("myelin.profile"));
    }

    /** The backend with every call timed; the table is printed at JVM exit. */
    static Backend wrap(Backend backend) {
        OpProfiler profiler = new OpProfiler(backend);
        Runtime.getRuntime().addShutdownHook(new Thread(profiler::print, "myelin-op-profile"));
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, profiler);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        long start = System.nanoTime();
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            long elapsed = System.nanoTime() - start;
            Totals t = totals.computeIfAbsent(key(method, args), name -> new Totals(new LongAdder(), new LongAdder()));
            t.calls().increment();
            t.nanos().add(elapsed);
        }
    }

    /** The op's name; a GEMM's also carries its shape and transposes, the figure most worth telling apart. */
    private static String key(Method method, Object[] args) {
        String name = method.getName();
        if (name.equals("gemm") || name.equals("gemmBatched")) {
            return String.format("%s %s%s %dx%dx%d", name, (boolean) args[0] ? "T" : "N", (boolean) args[1] ? "T" : "N",
                    (int) args[2], (int) args[3], (int) args[4]);
        }
        return name;
    }

    private void print() {
        long all = totals.values().stream().mapToLong(t -> t.nanos().sum()).sum();
        StringBuilder out = new StringBuilder(String.format("%nmyelin op profile (%s): %.1f ms in backend calls%n",
                target.description(), all / 1e6));
        out.append(String.format("%-34s %10s %12s %10s %7s%n", "op", "calls", "total ms", "us/call", "share"));
        totals.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, Totals> e) -> e.getValue().nanos().sum()).reversed())
                .forEach(e -> {
                    long calls = e.getValue().calls().sum();
                    long nanos = e.getValue().nanos().sum();
                    out.append(String.format("%-34s %10d %12.1f %10.1f %6.1f%%%n", e.getKey(), calls, nanos / 1e6,
                            nanos / 1e3 / calls, 100.0 * nanos / Math.max(1, all)));
                });
        System.err.print(out);
    }
}
