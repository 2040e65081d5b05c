package org.mailroom.api.filter;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A content filter, registered as an OSGi service. For every delivery the delivery service opens
 * one {@link FilterSession} per filter, feeds it the parsed message and asks for its verdict.
 * Filters run in the order of {@code service.ranking}, highest first; one that is installed,
 * updated or removed takes effect for the next message. Thread-safe: sessions of several
 * deliveries run at once.
 *
 * <p>Service property {@value #NAME} names the filter in logs, in verdict reasons and in the
 * delivery service's {@code requiredFilters} list (a required filter that is not registered
 * defers mail; it is never let through unfiltered).
 */
@ConsumerType
public interface ContentFilter {

    /** Service property: the filter's name, e.g. {@code sensitive-words}. */
    String NAME = "mailroom.filter.name";

    /** A session for one delivery. Called on the delivering thread; may not return null. */
    FilterSession open(FilterContext context);
}
