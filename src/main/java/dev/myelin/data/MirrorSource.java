package dev.myelin.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;

/**
 * A web mirror serving {@code NAME.gz} for each file (torchvision's layout). Plain URLConnection keeps
 * {@code file:} URLs working too, which is how the tests exercise this without a network.
 */
record MirrorSource(URI base) implements MnistSource {
    private static final int CONNECT_TIMEOUT_MS = 15_000;
    private static final int READ_TIMEOUT_MS = 60_000;

    MirrorSource {
        if (!base.toString().endsWith("/")) {
            base = URI.create(base + "/");
        }
    }

    @Override
    public String describe() {
        return base.toString();
    }

    @Override
    public void fetchInto(Path staging, Consumer<String> log) throws IOException {
        for (String name : Mnist.FILES) {
            URI uri = base.resolve(name + ".gz");
            log.accept("downloading " + uri);
            URLConnection connection = uri.toURL().openConnection();
            connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
            connection.setReadTimeout(READ_TIMEOUT_MS);
            // Say "HTTP 404" rather than let HttpURLConnection's bare FileNotFoundException(url) speak.
            if (connection instanceof HttpURLConnection http && http.getResponseCode() != HttpURLConnection.HTTP_OK) {
                throw new IOException("HTTP " + http.getResponseCode() + " " + http.getResponseMessage() + " for " + uri);
            }
            try (InputStream in = connection.getInputStream()) {
                Files.copy(in, staging.resolve(name + ".gz"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
