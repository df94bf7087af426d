package dev.recordkit.tools;

import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

import java.util.List;

/**
 * The analysis pieces RecordKit's mappings use that live in Elastic's analysis-common module, which is
 * not published on Maven Central: today only the {@code asciifolding} token filter (Lucene's
 * {@link ASCIIFoldingFilter}, also applied to multi-term queries such as prefix and wildcard, as in
 * analysis-common). The embedded SQLite engine folds diacritics the same way, so the shared conformance
 * corpus declares it in its default analyzer.
 */
public final class RecordKitAnalysisPlugin extends Plugin implements AnalysisPlugin {

    @Override
    public List<PreConfiguredTokenFilter> getPreConfiguredTokenFilters() {
        return List.of(PreConfiguredTokenFilter.singleton("asciifolding", true, ASCIIFoldingFilter::new));
    }
}
