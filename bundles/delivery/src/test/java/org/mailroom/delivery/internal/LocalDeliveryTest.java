package org.mailroom.delivery.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import org.junit.Test;
import org.mailroom.api.delivery.Delivery;
import org.mailroom.api.delivery.MessageSource;
import org.mailroom.api.delivery.Verdict;
import org.mailroom.api.store.StoreException;

public class LocalDeliveryTest {

    private static final String BODY = "Received: from x\r\nSubject: hi\r\n\r\nbody\r\n";

    @Test
    public void theMessageGetsReturnPathAndDeliveredToOnTopAndGoesInOnce() {
        LocalDelivery delivery = new LocalDelivery();
        MemoryStore store = new MemoryStore();
        delivery.store = store;
        Delivery d = delivery("k1-0", "alice@example.org", "bob@example.com", "bob");
        assertEquals(Verdict.delivered(), delivery.deliver(d));
        assertEquals(Verdict.delivered(), delivery.deliver(d));
        assertEquals(1, store.messages.size());
        assertEquals(
                "Return-Path: <alice@example.org>\r\nDelivered-To: bob@example.com\r\n" + BODY,
                store.messages.get("bob/k1-0"));
    }

    @Test
    public void anAliasOrTagAddsXOriginalToAndTheNullSenderIsEmpty() {
        assertEquals(
                "Return-Path: <>\r\nX-Original-To: Sales+eu@Example.com\r\nDelivered-To: bob@example.com\r\n",
                new String(LocalDelivery.traceHeaders(delivery("k", "", "Sales+eu@Example.com", "bob")), UTF_8));
        assertEquals(
                "Return-Path: <a@b>\r\nX-Original-To: postmaster\r\nDelivered-To: root\r\n",
                new String(LocalDelivery.traceHeaders(delivery("k", "a@b", "postmaster", "root")), UTF_8));
        assertEquals(
                "no header can be injected",
                "Return-Path: <a@b  X-Evil: 1>\r\nDelivered-To: bob@x\r\n",
                new String(LocalDelivery.traceHeaders(delivery("k", "a@b\r\nX-Evil: 1", "bob@x", "bob")), UTF_8));
    }

    @Test
    public void storeFailuresBecomeRetryOrFailedAndNoStoreIsUnavailable() {
        LocalDelivery delivery = new LocalDelivery();
        Delivery d = delivery("k2-0", "a@b", "bob@x", "bob");
        assertEquals(Verdict.unavailable("no mail store"), delivery.deliver(d));
        MemoryStore store = new MemoryStore();
        delivery.store = store;
        store.failure = new StoreException("disk full", true);
        assertEquals(Verdict.Outcome.RETRY, delivery.deliver(d).outcome());
        store.failure = new StoreException("invalid mailbox name", false);
        assertEquals(Verdict.failed("invalid mailbox name"), delivery.deliver(d));
    }

    private static Delivery delivery(String key, String sender, String recipient, String user) {
        return new Delivery(key, sender, recipient, user, new MessageSource() {
            @Override
            public InputStream open() {
                return new ByteArrayInputStream(BODY.getBytes(UTF_8));
            }

            @Override
            public long size() {
                return BODY.length();
            }
        });
    }
}
