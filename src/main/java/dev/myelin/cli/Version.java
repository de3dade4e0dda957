package dev.myelin.cli;

import picocli.CommandLine;

/** The version from the jar's manifest (set by Maven), or "development" when run from classes. */
public final class Version implements CommandLine.IVersionProvider {
    public static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[]{"myelin " + current(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }
}
