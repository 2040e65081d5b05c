package org.mailroom.delivery.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.Test;
import org.mailroom.api.delivery.Delivery;
import org.mailroom.api.delivery.MessageSource;
import org.mailroom.api.delivery.Verdict;
import org.mailroom.api.filter.ContentFilter;
import org.mailroom.api.filter.FilterSession;
import org.mailroom.api.filter.FilterVerdict;
import org.mailroom.api.filter.MimePart;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/** Local delivery with content filters: order, combination, header changes, required filters. */
public class FilterChainTest {

    private static final String MESSAGE = "Subject: =?UTF-8?B?5py65a+G?= report\r\n"
            + "X-Spam: old\r\n  continued\r\nFrom: a@example.org\r\n\r\nthe body mentions X-Spam: no\r\n";
    private static final AtomicLong IDS = new AtomicLong();

    private final LocalDelivery delivery = new LocalDelivery();
    private final MemoryStore store = new MemoryStore();

    {
        delivery.store = store;
        configure("");
    }

    @Test
    public void everyFilterSeesTheDecodedMessageOnceInRankingOrder() {
        List<String> calls = new ArrayList<>();
        add("low", 1, verdict -> {
            calls.add("low:" + verdict);
            return FilterVerdict.accept();
        });
        add("high", 10, verdict -> {
            calls.add("high:" + verdict);
            return FilterVerdict.accept();
        });
        assertEquals(Verdict.delivered(), delivery.deliver(delivery("k1-0")));
        assertEquals(
                List.of(
                        "high:机密 report|the body mentions X-Spam: no\r\n",
                        "low:机密 report|the body mentions X-Spam: no\r\n"),
                calls);
        assertTrue(store.messages.get("bob/k1-0").endsWith(MESSAGE));
    }

    @Test
    public void aRankingWrittenAsTextInACfgFileStillOrdersTheChain() {
        List<String> calls = new ArrayList<>();
        add("default", 0, seen -> {
            calls.add("default");
            return FilterVerdict.accept();
        });
        add("from-cfg", 0, seen -> {
            calls.add("from-cfg");
            return FilterVerdict.accept();
        });
        Reference textual = references.get("from-cfg");
        delivery.removeFilter(textual);
        textual.properties.put("service.ranking", "90");
        delivery.addFilter(textual, filterOf(textual));
        delivery.deliver(delivery("k10-0"));
        assertEquals(List.of("from-cfg", "default"), calls);
    }

    @Test
    public void theMostSevereVerdictWinsAndTheFirstOfItGivesTheReply() {
        add("quarantine", 40, seen -> FilterVerdict.quarantine("looks odd"));
        add("defer", 30, seen -> FilterVerdict.defer("scanner busy"));
        add("reject-a", 20, seen -> FilterVerdict.reject(554, "5.7.1", "Message contains a forbidden word"));
        add("reject-b", 10, seen -> FilterVerdict.reject("second opinion"));
        assertEquals(
                Verdict.rejected("554 5.7.1 Message contains a forbidden word"), delivery.deliver(delivery("k2-0")));
        removeAll("reject-a", "reject-b");
        assertEquals(Verdict.deferred("451 4.7.1 scanner busy"), delivery.deliver(delivery("k2-1")));
        removeAll("defer");
        Verdict held = delivery.deliver(delivery("k2-2"));
        assertEquals("no quarantine installed: held back", Verdict.Outcome.DEFERRED, held.outcome());
        assertTrue(held.reason().startsWith("451 4.7.1 "));
        assertTrue("nothing reached the mailbox", store.messages.isEmpty());
    }

    @Test
    public void rewritesApplyInChainOrderAfterTheHeaderChangesAndLeaveNoWorkFiles() throws Exception {
        java.nio.file.Path work = java.nio.file.Files.createTempDirectory("delivery-work");
        delivery.modified(
                org.mailroom.testing.Configs.of(LocalDelivery.Config.class, Map.of("workDirectory", work.toString())),
                Map.of());
        add(
                "first",
                20,
                seen -> FilterVerdict.accept().withHeader("X-First", "yes").withRewrite((in, out) -> {
                    out.write(in.readAllBytes());
                    out.write("-- first footer\r\n".getBytes(UTF_8));
                }));
        add(
                "second",
                10,
                seen -> FilterVerdict.accept().withRewrite((in, out) -> {
                    String message = new String(in.readAllBytes(), UTF_8);
                    assertTrue("sees the earlier changes", message.startsWith("X-First: yes\r\n"));
                    out.write(message.replace("-- first footer", "-- second footer")
                            .getBytes(UTF_8));
                }));
        assertEquals(Verdict.delivered(), delivery.deliver(delivery("k9-0")));
        assertEquals(
                "Return-Path: <a@example.org>\r\nDelivered-To: bob@example.com\r\nX-First: yes\r\n" + MESSAGE
                        + "-- second footer\r\n",
                store.messages.get("bob/k9-0"));
        try (java.util.stream.Stream<java.nio.file.Path> left = java.nio.file.Files.list(work)) {
            assertEquals(List.of(), left.toList());
        }
    }

    @Test
    public void aRewriteThatFailsDefersTheDeliveryAndDeliversNothing() throws Exception {
        add(
                "broken",
                10,
                seen -> FilterVerdict.accept().withRewrite((in, out) -> {
                    out.write("Subject: half".getBytes(UTF_8));
                    throw new java.io.IOException("footer template unreadable");
                }));
        Verdict verdict = delivery.deliver(delivery("k9-1"));
        assertEquals(Verdict.Outcome.RETRY, verdict.outcome());
        assertTrue(verdict.reason(), verdict.reason().contains("footer template unreadable"));
        assertTrue("nothing reached the mailbox", store.messages.isEmpty());
    }

    @Test
    public void aQuarantinedMessageIsHeldWithItsTraceHeadersAndNotDelivered() throws Exception {
        java.util.Map<String, String> held = new java.util.LinkedHashMap<>();
        delivery.quarantine = new org.mailroom.api.filter.Quarantine() {
            @Override
            public String hold(org.mailroom.api.filter.HeldMessage m, InputStream message) throws java.io.IOException {
                held.putIfAbsent(
                        m.id(),
                        m.user() + "|" + m.filter() + "|" + m.reason() + "|"
                                + new String(message.readAllBytes(), UTF_8));
                return m.id();
            }

            @Override
            public List<org.mailroom.api.filter.HeldMessage> list() {
                return List.of();
            }

            @Override
            public org.mailroom.api.filter.HeldMessage find(String id) {
                return null;
            }

            @Override
            public InputStream open(String id) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean release(String id) {
                return false;
            }

            @Override
            public boolean delete(String id) {
                return false;
            }
        };
        add("words", 10, seen -> FilterVerdict.quarantine("3 x 内部资料"));
        assertEquals(Verdict.quarantined("held as k8-0 by words: 3 x 内部资料"), delivery.deliver(delivery("k8-0")));
        assertTrue(store.messages.isEmpty());
        assertEquals(
                "bob|words|3 x 内部资料|Return-Path: <a@example.org>\r\nDelivered-To: bob@example.com\r\n" + MESSAGE,
                held.get("k8-0"));
        add("reject", 5, seen -> FilterVerdict.reject("no"));
        assertEquals(
                "a rejection wins over the quarantine",
                Verdict.Outcome.REJECTED,
                delivery.deliver(delivery("k8-1")).outcome());
    }

    @Test
    public void headerChangesOfEveryFilterApplyToAnAcceptedMessage() {
        add(
                "tagger",
                20,
                seen -> FilterVerdict.accept()
                        .withHeader("X-Filtered", "by tagger")
                        .withoutHeader("x-spam"));
        add("dlp", 10, seen -> FilterVerdict.accept().withHeader("X-DLP", "检查通过"));
        assertEquals(Verdict.delivered(), delivery.deliver(delivery("k3-0")));
        String stored = store.messages.get("bob/k3-0");
        String afterTrace = stored.substring(stored.indexOf("X-Filtered"));
        assertEquals(
                "X-Filtered: by tagger\r\nX-DLP: =?UTF-8?B?5qOA5p+l6YCa6L+H?=\r\n"
                        + "Subject: =?UTF-8?B?5py65a+G?= report\r\nFrom: a@example.org\r\n\r\n"
                        + "the body mentions X-Spam: no\r\n",
                afterTrace);
    }

    @Test
    public void aRejectedMessageGetsNoneOfTheOtherFiltersChanges() {
        add("tagger", 20, seen -> FilterVerdict.accept().withHeader("X-Filtered", "yes"));
        add("words", 10, seen -> FilterVerdict.reject("no"));
        assertEquals(
                Verdict.Outcome.REJECTED, delivery.deliver(delivery("k4-0")).outcome());
        assertTrue(store.messages.isEmpty());
    }

    @Test
    public void aFilterThatThrowsDefersTheMessage() {
        add("broken", 10, seen -> {
            throw new IllegalStateException("bug");
        });
        assertEquals(
                Verdict.deferred("451 4.7.1 Content filter broken failed, try again later"),
                delivery.deliver(delivery("k5-0")));
        assertTrue(store.messages.isEmpty());
    }

    @Test
    public void aRequiredFilterThatIsMissingDefersAndOnceThereItRuns() {
        configure("words, dlp");
        add("words", 10, seen -> FilterVerdict.accept());
        assertEquals(
                Verdict.deferred("451 4.7.1 Content filter dlp is not available, try again later"),
                delivery.deliver(delivery("k6-0")));
        add("dlp", 5, seen -> FilterVerdict.accept());
        assertEquals(Verdict.delivered(), delivery.deliver(delivery("k6-0")));
        removeAll("dlp");
        assertEquals(
                Verdict.Outcome.DEFERRED, delivery.deliver(delivery("k6-1")).outcome());
        assertEquals(1, store.messages.size());
    }

    @Test
    public void aBadRequiredFiltersValueNamesTheKeyAndAnEditKeepsThePreviousList() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> configure("words, bad name"));
        assertTrue(e.getMessage(), e.getMessage().contains("org.mailroom.delivery.cfg: key requiredFilters"));
        assertTrue(e.getMessage(), e.getMessage().contains("\"bad name\""));
        configure("dlp");
        delivery.modified(config("d l p"), Map.of("felix.fileinstall.filename", "etc/org.mailroom.delivery.cfg"));
        assertEquals(
                Verdict.Outcome.DEFERRED, delivery.deliver(delivery("k7-0")).outcome());
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void anExtractorsTextReachesEveryFilterAndAnUnreadableDocumentIsReported() throws Exception {
        java.nio.file.Path work = java.nio.file.Files.createTempDirectory("delivery-work");
        delivery.modified(
                org.mailroom.testing.Configs.of(LocalDelivery.Config.class, Map.of("workDirectory", work.toString())),
                Map.of());
        List<String> spooled = new ArrayList<>();
        org.mailroom.api.filter.TextExtractor fake = new org.mailroom.api.filter.TextExtractor() {
            @Override
            public boolean reads(MimePart part, byte[] head, int length) {
                return new String(head, 0, length, UTF_8).startsWith("%FAKE-DOC");
            }

            @Override
            public void extract(
                    MimePart part, java.nio.file.Path content, java.util.function.Consumer<CharSequence> text)
                    throws java.io.IOException {
                assertTrue("spooled in the work folder", content.startsWith(work));
                String document = java.nio.file.Files.readString(content, UTF_8);
                spooled.add(part.fileName() + ":" + document.length());
                text.accept("[" + document.substring("%FAKE-DOC\n".length()).strip() + "]");
                if (document.contains("LOCKED")) {
                    throw new java.io.IOException("the document is encrypted");
                }
            }
        };
        Reference reference = new Reference("fake-extractor", 0);
        delivery.addExtractor((ServiceReference) reference, fake);
        List<String> unreadable = new ArrayList<>();
        ContentFilter seeing = context -> new FilterSession() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public void text(MimePart part, CharSequence chars) {
                text.append(part.path()).append('=').append(chars).append(';');
            }

            @Override
            public void unreadable(MimePart part, String reason) {
                unreadable.add(part.path() + ":" + reason);
            }

            @Override
            public FilterVerdict finish() {
                return text.toString().contains("622421196903065015")
                        ? FilterVerdict.reject(text.toString())
                        : FilterVerdict.accept();
            }
        };
        delivery.addFilter(new Reference("dlp", 5), seeing);
        String big = "%FAKE-DOC\n" + "id 622421196903065015 ".repeat(1000);
        Verdict verdict = delivery.deliver(withAttachments("k11-0", big, "%PNG not a document"));
        assertEquals(Verdict.Outcome.REJECTED, verdict.outcome());
        assertTrue(verdict.reason(), verdict.reason().contains("1=body text;2=[id 622421196903065015 id"));
        assertTrue(
                "the image is not given to the extractor: " + verdict.reason(),
                !verdict.reason().contains("3="));
        assertEquals("the whole part, head and rest, spooled", List.of("a.bin:" + big.length()), spooled);
        assertEquals(List.of(), unreadable);

        assertEquals(Verdict.delivered(), delivery.deliver(withAttachments("k11-1", "%FAKE-DOC\nLOCKED", "x")));
        assertEquals(List.of("2:the document is encrypted"), unreadable);
        try (java.util.stream.Stream<java.nio.file.Path> left = java.nio.file.Files.list(work)) {
            assertEquals("no work file left", List.of(), left.toList());
        }

        configure("fake-extractor");
        delivery.removeExtractor((ServiceReference) reference);
        assertEquals(
                "a required extractor that is missing defers",
                Verdict.deferred("451 4.7.1 Content filter fake-extractor is not available, try again later"),
                delivery.deliver(withAttachments("k11-2", "%FAKE-DOC\n", "x")));
    }

    private static Delivery withAttachments(String key, String document, String image) {
        String message = "Subject: report\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                + "Content-Type: text/plain\r\n\r\nbody text\r\n--b\r\n"
                + "Content-Type: application/octet-stream; name=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + java.util.Base64.getMimeEncoder().encodeToString(document.getBytes(UTF_8)) + "\r\n--b\r\n"
                + "Content-Type: image/png; name=b.png\r\n\r\n" + image + "\r\n--b--\r\n";
        return new Delivery(key, "a@example.org", "bob@example.com", "bob", new MessageSource() {
            @Override
            public InputStream open() {
                return new ByteArrayInputStream(message.getBytes(UTF_8));
            }

            @Override
            public long size() {
                return message.length();
            }
        });
    }

    @Test
    public void aTwentyMegabyteMessageStreamsThroughTheChainWithoutTheHeapGrowingWithIt() {
        long size = 57L * 368_000; // 21 MB of base64 lines
        String head = "Subject: big\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
        long[] peak = new long[1];
        long[] seen = new long[1];
        long before = org.mailroom.testing.Heap.usedAfterGc();
        ContentFilter measuring = context -> new FilterSession() {
            @Override
            public void content(MimePart part, byte[] octets, int offset, int length) {
                seen[0] += length;
                if (seen[0] >= 10_000_000 && peak[0] == 0) {
                    peak[0] = org.mailroom.testing.Heap.usedAfterGc();
                }
            }

            @Override
            public FilterVerdict finish() {
                return FilterVerdict.accept();
            }
        };
        delivery.addFilter(new Reference("measuring", 5), measuring);
        MessageSource source = new MessageSource() {
            @Override
            public InputStream open() {
                return new java.io.SequenceInputStream(java.util.Collections.enumeration(List.of(
                        new ByteArrayInputStream(head.getBytes(UTF_8)),
                        new Base64Text(size),
                        new ByteArrayInputStream("\r\n--b--\r\n".getBytes(UTF_8)))));
            }

            @Override
            public long size() {
                return size;
            }
        };
        long[] stored = new long[1];
        delivery.store = new MemoryStore() {
            @Override
            public boolean deliverOnce(String user, String key, InputStream message) {
                try {
                    stored[0] = message.transferTo(OutputStreamNull.INSTANCE);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
                return true;
            }
        };
        assertEquals(
                Verdict.delivered(), delivery.deliver(new Delivery("k9-0", "a@b", "bob@example.com", "bob", source)));
        assertEquals("every decoded octet seen", size, seen[0]);
        assertTrue("stored the whole message", stored[0] > size);
        long growth = peak[0] - before;
        assertTrue("heap grew by " + growth + " octets half-way through a 21 MB message", growth < 8_000_000);
    }

    /** Discards what it is given. */
    private static final class OutputStreamNull extends java.io.OutputStream {
        static final OutputStreamNull INSTANCE = new OutputStreamNull();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }

    /** Base64 lines of 76 "A"s (57 zero octets each) up to {@code octets} octets of lines, generated as read. */
    private static final class Base64Text extends InputStream {
        private static final byte[] LINE = ("A".repeat(76) + "\r\n").getBytes(UTF_8);
        private long left;
        private int at;

        Base64Text(long octets) {
            this.left = octets / 57;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = Math.min(len, LINE.length - at);
            System.arraycopy(LINE, at, b, off, n);
            at += n;
            if (at == LINE.length) {
                at = 0;
                left--;
            }
            return n;
        }
    }

    // ---- helpers

    private void configure(String required) {
        delivery.activate(config(required), Map.of("felix.fileinstall.filename", "etc/org.mailroom.delivery.cfg"));
    }

    private static LocalDelivery.Config config(String required) {
        return org.mailroom.testing.Configs.of(LocalDelivery.Config.class, Map.of("requiredFilters", required));
    }

    private final Map<String, Reference> references = new LinkedHashMap<>();
    private final Map<Reference, ContentFilter> filtersByReference = new java.util.HashMap<>();

    private ContentFilter filterOf(Reference reference) {
        return filtersByReference.get(reference);
    }

    /** A filter whose verdict is computed from "subject|body text" as it saw them. */
    private void add(String name, int ranking, Function<String, FilterVerdict> decide) {
        ContentFilter filter = context -> new FilterSession() {
            private String subject = "";
            private final StringBuilder text = new StringBuilder();

            @Override
            public void header(org.mailroom.api.filter.MimeField field) {
                if (field.name().equalsIgnoreCase("Subject")) {
                    subject = field.value();
                }
            }

            @Override
            public void text(MimePart part, CharSequence chars) {
                text.append(chars);
            }

            @Override
            public FilterVerdict finish() {
                return decide.apply(subject + "|" + text);
            }
        };
        Reference reference = new Reference(name, ranking);
        references.put(name, reference);
        filtersByReference.put(reference, filter);
        delivery.addFilter(reference, filter);
    }

    private void removeAll(String... names) {
        for (String name : names) {
            delivery.removeFilter(references.remove(name));
        }
    }

    private static Delivery delivery(String key) {
        return new Delivery(key, "a@example.org", "bob@example.com", "bob", new MessageSource() {
            @Override
            public InputStream open() {
                return new ByteArrayInputStream(MESSAGE.getBytes(UTF_8));
            }

            @Override
            public long size() {
                return MESSAGE.length();
            }
        });
    }

    /** A service reference with a name, a ranking and an id, ordered as the framework orders them. */
    private static final class Reference implements ServiceReference<ContentFilter> {
        private final Hashtable<String, Object> properties = new Hashtable<>();

        Reference(String name, int ranking) {
            properties.put(ContentFilter.NAME, name);
            properties.put("service.ranking", ranking);
            properties.put("service.id", IDS.incrementAndGet());
        }

        @Override
        public Object getProperty(String key) {
            return properties.get(key);
        }

        @Override
        public String[] getPropertyKeys() {
            return properties.keySet().toArray(new String[0]);
        }

        @Override
        public Bundle getBundle() {
            return null;
        }

        @Override
        public Bundle[] getUsingBundles() {
            return null;
        }

        @Override
        public boolean isAssignableTo(Bundle bundle, String className) {
            return true;
        }

        @Override
        public int compareTo(Object other) {
            Reference o = (Reference) other;
            int ranking = Integer.compare(
                    (Integer) getProperty("service.ranking"), (Integer) o.getProperty("service.ranking"));
            return ranking != 0
                    ? ranking
                    : Long.compare((Long) o.getProperty("service.id"), (Long) getProperty("service.id"));
        }

        @Override
        public Dictionary<String, Object> getProperties() {
            return new Hashtable<>(properties);
        }

        @Override
        public <A> A adapt(Class<A> type) {
            return null;
        }
    }
}
