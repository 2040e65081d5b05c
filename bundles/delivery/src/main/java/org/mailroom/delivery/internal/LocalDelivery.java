package org.mailroom.delivery.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Locale;
import org.mailroom.api.delivery.Delivery;
import org.mailroom.api.delivery.DeliveryService;
import org.mailroom.api.delivery.Verdict;
import org.mailroom.api.protocol.LogText;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.StoreException;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers into the mail store, exactly once per key ({@link MailStore#deliverOnce}), with the
 * trace headers Postfix's local delivery writes on top: {@code Return-Path}, {@code X-Original-To}
 * (when an alias or the recipient delimiter changed the address) and {@code Delivered-To}. The
 * store is looked up per delivery; while none is registered (its bundle being updated) the
 * delivery is not attempted and the spool tries again in a moment.
 * Configuration PID {@value #PID} (optional): {@code store.target} pins one store.
 */
@Component(
        service = DeliveryService.class,
        configurationPid = LocalDelivery.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public class LocalDelivery implements DeliveryService {

    static final String PID = "org.mailroom.delivery";
    private static final Logger LOG = LoggerFactory.getLogger(LocalDelivery.class);

    @Reference(
            name = "store",
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile MailStore store;

    @Override
    public Verdict deliver(Delivery delivery) {
        MailStore current = store;
        if (current == null) {
            return Verdict.unavailable("no mail store");
        }
        try (InputStream message = new SequenceInputStream(
                new ByteArrayInputStream(traceHeaders(delivery)),
                delivery.message().open())) {
            boolean now = current.deliverOnce(delivery.user(), delivery.key(), message);
            if (!now) {
                LOG.info(
                        "{} was already in the mailbox of {}: not delivered again",
                        delivery.key(),
                        LogText.of(delivery.user()));
            }
            return Verdict.delivered();
        } catch (StoreException e) {
            return e.isTemporary() ? Verdict.retry(e.getMessage()) : Verdict.failed(e.getMessage());
        } catch (IOException e) {
            return Verdict.retry("cannot read the spooled message: " + e);
        }
    }

    /** The headers put on top of the message, in wire form. */
    static byte[] traceHeaders(Delivery delivery) {
        String deliveredTo = deliveredTo(delivery);
        StringBuilder h = new StringBuilder();
        h.append("Return-Path: <").append(clean(delivery.sender())).append(">\r\n");
        if (!deliveredTo.equalsIgnoreCase(delivery.recipient())) {
            h.append("X-Original-To: ").append(clean(delivery.recipient())).append("\r\n");
        }
        h.append("Delivered-To: ").append(clean(deliveredTo)).append("\r\n");
        return h.toString().getBytes(UTF_8);
    }

    /** The user's address in the recipient's domain (the recipient itself when it names the user). */
    static String deliveredTo(Delivery delivery) {
        String recipient = delivery.recipient();
        int at = recipient.lastIndexOf('@');
        if (at < 0) {
            return delivery.user();
        }
        String local = recipient.substring(0, at);
        if (local.equals(delivery.user())) {
            return recipient;
        }
        return delivery.user() + "@" + recipient.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    /** No line breaks in a header value, whatever an envelope carried. */
    private static String clean(String value) {
        return value.replace('\r', ' ').replace('\n', ' ');
    }
}
