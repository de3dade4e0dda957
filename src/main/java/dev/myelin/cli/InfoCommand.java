package dev.myelin.cli;

import com.google.gson.GsonBuilder;
import dev.myelin.backend.Backends;
import dev.myelin.backend.DeviceInfo;
import dev.myelin.backend.Probe;
import dev.myelin.backend.cpu.VectorSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "info", description = "Show the Java runtime, the Vector API, and every backend: available or why not.")
final class InfoCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Probe> probes = Backends.probeAll();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("myelin", Version.current());
        info.put("java", Runtime.version().toString());
        info.put("java_vendor", System.getProperty("java.vendor"));
        info.put("vector_api", VectorSupport.available());
        info.put("vector_api_detail", VectorSupport.description());
        info.put("cores", Runtime.getRuntime().availableProcessors());
        info.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        List<Map<String, Object>> backends = new ArrayList<>();
        for (Probe p : probes) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("name", p.kind().id());
            b.put("available", p.available());
            b.put("devices", p.devices());
            b.put("reason", p.reason());
            backends.add(b);
        }
        info.put("backends", backends);
        if (json) {
            out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(info));
        } else {
            out.printf("Myelin %s%n", Version.current());
            out.printf("Java        %s (%s)%n", Runtime.version(), System.getProperty("java.vendor"));
            out.printf("Vector API  %s%n", VectorSupport.available() ? "on, " + VectorSupport.description()
                    : "off (start Java with --add-modules jdk.incubator.vector)");
            out.printf("Cores       %d%n", Runtime.getRuntime().availableProcessors());
            out.printf("Max heap    %,d MiB%n", Runtime.getRuntime().maxMemory() >> 20);
            out.println("Backends:");
            for (Probe p : probes) {
                out.printf("  %-7s %s%s%n", p.kind().id(), p.available() ? "available" : "unavailable",
                        p.reason().isEmpty() ? "" : " - " + p.reason());
                for (DeviceInfo d : p.devices()) {
                    out.printf("          device: %s [%s, %d compute units%s]%s%n", d.name(), d.type(), d.computeUnits(),
                            d.memoryBytes() > 0 ? String.format(", %,d MiB", d.memoryBytes() >> 20) : "",
                            d.detail().isEmpty() ? "" : " " + d.detail());
                }
            }
        }
        out.flush();
        return Main.EXIT_OK;
    }
}
