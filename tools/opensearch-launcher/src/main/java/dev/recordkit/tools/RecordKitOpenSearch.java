package dev.recordkit.tools;

import org.codelibs.opensearch.runner.OpenSearchRunner;
import org.opensearch.http.HttpServerTransport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;

/**
 * A single-node OpenSearch for RecordKit's integration tests, started through codelibs' OpenSearchRunner
 * (the server and its standard modules from Maven Central; no distribution, no Docker).
 *
 * <p>Usage: {@code java -cp ... dev.recordkit.tools.RecordKitOpenSearch <home> [httpPort]}. The runner's own
 * {@code main} scans ports 9201-9299; this one binds the given port, or any free loopback port when it is 0,
 * and writes the base URL to {@code <home>/url} (atomically) once the HTTP transport is bound.
 * SIGTERM closes the node cleanly.
 */
public final class RecordKitOpenSearch {

    private RecordKitOpenSearch() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: RecordKitOpenSearch <home> [httpPort]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        String httpPort = args.length > 1 ? args[1] : "0";
        Files.createDirectories(home);
        Files.deleteIfExists(home.resolve("url"));

        OpenSearchRunner runner = new OpenSearchRunner();
        runner.setMaxHttpPort(-1);
        runner.onBuild((number, settings) -> settings
            .put("http.port", httpPort)
            .put("transport.port", "0")
            .put("network.host", "127.0.0.1")
            .put("discovery.type", "single-node")
            .putList("node.roles", "cluster_manager", "data", "ingest")
            // A test machine's disk may be nearly full; do not let the allocator refuse shards for that.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            // The real-memory breaker trips on small heaps shared with a busy test run.
            .put("indices.breaker.total.use_real_memory", false)
            // An adapter that writes before creating its index must fail, not get a dynamic mapping.
            .put("action.auto_create_index", false));

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (IOException e) {
                System.err.println("recordkit-opensearch: error while closing: " + e);
            } finally {
                stopped.countDown();
            }
        }, "recordkit-opensearch-shutdown"));

        runner.build(new OpenSearchRunner.Configs()
            .basePath(home.toString())
            .numOfNode(1)
            .clusterName("recordkit")
            .printOnFailure());
        runner.ensureYellow();

        int port = runner.node().injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress().getPort();
        String url = "http://127.0.0.1:" + port;
        Path tmp = home.resolve("url.tmp");
        Files.writeString(tmp, url + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, home.resolve("url"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("recordkit-opensearch: listening on " + url);
        stopped.await();
    }
}
