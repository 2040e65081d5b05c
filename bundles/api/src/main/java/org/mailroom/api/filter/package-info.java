/**
 * Content filters: services that see every message on its way into a mailbox, MIME-aware, and
 * say what becomes of it. A filter bundle registers a {@link org.mailroom.api.filter.ContentFilter};
 * Mailroom's delivery service parses each message once per delivery and streams what it finds
 * (the message's header fields with RFC 2047 words decoded, each leaf part's decoded octets and,
 * for text, its decoded characters, and the text a {@link org.mailroom.api.filter.TextExtractor}
 * finds in a PDF or Office attachment) to a {@link org.mailroom.api.filter.FilterSession} of every
 * filter, in the order of {@code service.ranking} (highest first), then combines their
 * {@link org.mailroom.api.filter.FilterVerdict}s: the most severe action wins, in the order
 * reject, defer, quarantine, accept; among filters with that action the first in the order gives
 * the reply and the reason; the header changes of every filter apply, in that order, when the
 * message is accepted.
 *
 * <p>Compatibility: {@code ContentFilter}, {@code TextExtractor} and {@code FilterSession} are consumer types (a method
 * added to them is a major version; {@code FilterSession} callbacks added in a minor version come
 * with a default that does nothing); {@code FilterContext} and {@code MimePart} are provider types
 * and may gain methods in a minor version; {@code FilterVerdict} may gain methods and
 * {@link org.mailroom.api.filter.FilterVerdict.Action} constants in a minor version (a chain that
 * does not know one defers the message); the records never gain, lose or reorder a component in
 * a minor version.
 */
@Version("1.2.0")
@Export
package org.mailroom.api.filter;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
