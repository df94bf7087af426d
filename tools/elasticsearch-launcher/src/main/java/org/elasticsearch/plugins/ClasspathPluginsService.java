package org.elasticsearch.plugins;

import org.elasticsearch.Build;
import org.elasticsearch.action.admin.cluster.node.info.PluginsAndModules;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link PluginsService} whose plugins are classes already on the JVM classpath, instead of bundles
 * unpacked under {@code plugins/} and {@code modules/} of an Elasticsearch distribution.
 *
 * <p>It has to live in {@code org.elasticsearch.plugins}: {@code LoadedPlugin}, {@code loadPlugin} and
 * {@code loadExtensions} are package-private. The test framework has a similar class, but putting that
 * framework on the classpath switches the server into "running under randomized tests" mode, which a
 * standalone node cannot satisfy.
 */
public final class ClasspathPluginsService extends PluginsService {

    private final List<LoadedPlugin> loaded;

    public ClasspathPluginsService(Settings settings, Environment environment, Collection<Class<? extends Plugin>> classes) {
        super(settings, environment.configDir(), new PluginsLoader(Set.of(), Set.of(), Map.of()));
        List<LoadedPlugin> plugins = new ArrayList<>();
        for (Class<? extends Plugin> type : classes) {
            Plugin instance = loadPlugin(type, settings, environment.configDir());
            PluginDescriptor descriptor = new PluginDescriptor(
                type.getName(),
                "loaded from the classpath by the RecordKit launcher",
                Build.current().version(),
                Build.current().version(),
                Integer.toString(Runtime.version().feature()),
                type.getName(),
                null,
                List.of(),
                false,
                false,
                false,
                false,
                PluginDescriptor.DeploymentTarget.ALL
            );
            plugins.add(new LoadedPlugin(descriptor, instance, type.getClassLoader()));
        }
        loadExtensions(plugins);
        this.loaded = List.copyOf(plugins);
    }

    @Override
    protected List<LoadedPlugin> plugins() {
        return loaded;
    }

    @Override
    public PluginsAndModules info() {
        return new PluginsAndModules(loaded.stream().map(p -> new PluginRuntimeInfo(p.descriptor())).toList(), List.of());
    }
}
