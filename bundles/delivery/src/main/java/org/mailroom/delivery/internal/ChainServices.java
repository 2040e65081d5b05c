package org.mailroom.delivery.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiFunction;
import org.mailroom.api.filter.ContentFilter;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services of one kind in the filter chain (content filters, text extractors), highest
 * service.ranking first, then in the order they came. The ranking is read here, not by the
 * framework: a ranking set in a {@code .cfg} file reaches the service as text ("90"), which the
 * framework's own order counts as 0.
 */
final class ChainServices<S> {

    private static final Logger LOG = LoggerFactory.getLogger(ChainServices.class);

    private final String kind;
    private final ConcurrentSkipListMap<ServiceReference<S>, S> services =
            new ConcurrentSkipListMap<>(Comparator.comparingInt((ServiceReference<S> r) -> -ranking(r))
                    .thenComparingLong(ChainServices::serviceId));

    /** @param kind what the services are, for the log: "Content filter" */
    ChainServices(String kind) {
        this.kind = kind;
    }

    void add(ServiceReference<S> reference, S service) {
        services.put(reference, service);
        LOG.info("{} {} in the chain (ranking {})", kind, name(reference), ranking(reference));
    }

    void remove(ServiceReference<S> reference) {
        if (services.remove(reference) != null) {
            LOG.info("{} {} left the chain", kind, name(reference));
        }
    }

    /** A changed service.ranking moves the service: the order is by the reference's properties. */
    void updated(ServiceReference<S> reference, S service) {
        services.entrySet().removeIf(e -> e.getValue() == service);
        services.put(reference, service);
    }

    /** The services in the chain's order, each with its name. */
    <N> List<N> named(BiFunction<String, S, N> naming) {
        List<N> named = new ArrayList<>();
        services.forEach((reference, service) -> named.add(naming.apply(name(reference), service)));
        return named;
    }

    static String name(ServiceReference<?> reference) {
        Object name = reference.getProperty(ContentFilter.NAME);
        if (name == null) {
            name = reference.getProperty("component.name");
        }
        return name == null ? "service " + reference.getProperty("service.id") : name.toString();
    }

    /** The service.ranking as an Integer or as text that is one; 0 otherwise. */
    static int ranking(ServiceReference<?> reference) {
        Object ranking = reference.getProperty("service.ranking");
        if (ranking instanceof Integer i) {
            return i;
        }
        if (ranking instanceof String text) {
            try {
                return Integer.parseInt(text.strip());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    private static long serviceId(ServiceReference<?> reference) {
        Object id = reference.getProperty("service.id");
        return id instanceof Long l ? l : 0L;
    }
}
