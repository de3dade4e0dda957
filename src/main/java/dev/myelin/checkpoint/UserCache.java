package dev.myelin.checkpoint;

import java.nio.file.Path;
import java.util.Map;

/**
 * Myelin's folder in the user's cache: {@code $XDG_CACHE_HOME/myelin} when that is an absolute path,
 * else {@code ~/.cache/myelin}. What lives there (MNIST, the record of checked files, the OpenCL probe's
 * record) can always be rebuilt; it only spares work.
 */
public final class UserCache {
    private UserCache() {
    }

    /** The folder for this process's user and environment. */
    public static Path dir() {
        return dir(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    public static Path dir(Map<String, String> env, Path home) {
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg) : home.resolve(".cache");
        return base.resolve("myelin");
    }
}
