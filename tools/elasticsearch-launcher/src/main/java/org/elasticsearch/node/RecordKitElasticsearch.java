package org.elasticsearch.node;

import dev.recordkit.tools.RecordKitAnalysisPlugin;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;
import org.elasticsearch.transport.netty4.Netty4Plugin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A single-node Elasticsearch for RecordKit's integration tests, built from the server and the
 * transport-netty4 plugin as published on Maven Central (no distribution, no Docker).
 *
 * <p>It lives in {@code org.elasticsearch.node} because the only way to give a node classpath plugins
 * (here: the Netty HTTP transport) is {@link NodeConstruction#prepareConstruction} with a custom
 * {@link NodeServiceProvider}, and both are package-private.
 *
 * <p>Usage: {@code java -cp ... org.elasticsearch.node.RecordKitElasticsearch <home> [httpPort]}. The node
 * keeps its data under {@code <home>/data}. Once the HTTP transport is bound it writes the base URL to
 * {@code <home>/url} (atomically), so a script can wait for that file. SIGTERM closes the node cleanly.
 */
public final class RecordKitElasticsearch {

    private RecordKitElasticsearch() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: RecordKitElasticsearch <home> [httpPort]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        String httpPort = args.length > 1 ? args[1] : "0";
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        Files.deleteIfExists(home.resolve("url"));

        Settings settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", "recordkit")
            .put("node.name", "recordkit-es")
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort)
            .put("transport.port", "0")
            // A test machine's disk may be nearly full; do not let the allocator refuse shards for that.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            // The real-memory breaker trips on small heaps shared with a busy test run.
            .put("indices.breaker.total.use_real_memory", false)
            // An adapter that writes before creating its index must fail, not get a dynamic mapping.
            .put("action.auto_create_index", false)
            .put("logger.level", System.getProperty("recordkit.es.log", "WARN"))
            .build();

        LogConfigurator.configureESLogging();
        LogConfigurator.configureWithoutConfig(settings);

        Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "recordkit-es");
        PluginsLoader pluginsLoader = PluginsLoader.createPluginsLoader(Set.of(), Set.of(), Map.of(), false);
        List<Class<? extends Plugin>> plugins = List.of(Netty4Plugin.class, RecordKitAnalysisPlugin.class);
        NodeServiceProvider services = new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment env, PluginsLoader loader) {
                return new ClasspathPluginsService(env.settings(), env, plugins);
            }
        };
        Node node = new Node(NodeConstruction.prepareConstruction(environment, pluginsLoader, services, true));

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                System.err.println("recordkit-es: error while closing: " + e);
            } finally {
                stopped.countDown();
            }
        }, "recordkit-es-shutdown"));

        node.start();
        int port = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress().getPort();
        String url = "http://127.0.0.1:" + port;
        Path tmp = home.resolve("url.tmp");
        Files.writeString(tmp, url + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, home.resolve("url"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("recordkit-es: listening on " + url);
        stopped.await();
    }
}
