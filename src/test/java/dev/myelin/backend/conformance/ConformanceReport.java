package dev.myelin.backend.conformance;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prints, at the end of a test run, how many conformance cases ran on each backend. Surefire counts
 * per class, not per backend, and "the OpenCL cases really ran" is what CI needs to show.
 * Registered in META-INF/services; cases are recognised by their display name, which starts with
 * the backend id ("opencl gemm m,n,k=...").
 */
public final class ConformanceReport implements TestExecutionListener {
    private static final String PACKAGE = "dev.myelin.backend.conformance";

    private final Map<String, int[]> counts = new LinkedHashMap<>();
    private final Map<String, String> skipReasons = new LinkedHashMap<>();

    public ConformanceReport() {
        for (String id : BackendsUnderTest.ids()) {
            counts.put(id, new int[3]);
        }
    }

    private int[] countsFor(TestIdentifier test) {
        if (!test.isTest() || !test.getUniqueId().contains(PACKAGE)) {
            return null;
        }
        String first = test.getDisplayName().split(" ", 2)[0];
        return counts.get(first);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        int[] c = countsFor(test);
        if (c == null) {
            return;
        }
        switch (result.getStatus()) {
            case SUCCESSFUL -> c[0]++;
            case FAILED -> c[1]++;
            // A failed assumption (backend unavailable here) aborts the case: that is a skip.
            case ABORTED -> {
                c[2]++;
                skipReasons.putIfAbsent(test.getDisplayName().split(" ", 2)[0],
                        result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
            }
        }
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        int[] c = countsFor(test);
        if (c != null) {
            c[2]++;
            skipReasons.putIfAbsent(test.getDisplayName().split(" ", 2)[0], reason);
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        int total = counts.values().stream().mapToInt(c -> c[0] + c[1] + c[2]).sum();
        if (total == 0) {
            return;
        }
        StringBuilder line = new StringBuilder("Conformance cases by backend:");
        counts.forEach((id, c) -> {
            line.append(String.format("%n  %-7s %d passed, %d failed, %d skipped", id, c[0], c[1], c[2]));
            if (c[2] > 0 && skipReasons.containsKey(id)) {
                line.append(" (").append(skipReasons.get(id)).append(")");
            }
        });
        System.out.println(line);
    }
}
