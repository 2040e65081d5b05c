package org.mailroom.filter.footer.internal;

import java.io.IOException;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import org.mailroom.api.filter.FilterContext;
import org.mailroom.api.filter.FilterSession;
import org.mailroom.api.filter.FilterVerdict;
import org.mailroom.api.filter.MimeField;
import org.mailroom.api.filter.MimePart;

/**
 * One delivery: notes the Message-ID and whether the message is signed or encrypted (S/MIME,
 * OpenPGP), then asks for the footer rewrite, with this recipient's trace code in it and in a
 * header field. A signed message is left as it is (a footer would break its signature): skipped,
 * or tagged with a header field saying why it has no footer.
 */
final class FooterSession implements FilterSession {

    private static final Set<String> SIGNED_TYPES = Set.of(
            "multipart/signed",
            "multipart/encrypted",
            "application/pkcs7-mime",
            "application/x-pkcs7-mime",
            "application/pkcs7-signature",
            "application/x-pkcs7-signature",
            "application/pgp-signature",
            "application/pgp-encrypted");

    private final FooterSettings settings;
    private final Footer footer;
    private final TraceMarks marks;
    private final FilterContext context;
    private String messageId = "";
    private boolean signed;

    FooterSession(FooterSettings settings, Footer footer, TraceMarks marks, FilterContext context) {
        this.settings = settings;
        this.footer = footer;
        this.marks = marks;
        this.context = context;
    }

    @Override
    public void header(MimeField field) {
        if (field.name().equalsIgnoreCase("Message-ID")) {
            messageId = field.value().strip();
        } else if (field.name().equalsIgnoreCase("Content-Type")) {
            signed |= SIGNED_TYPES.contains(field.value().split(";")[0].strip().toLowerCase(Locale.ROOT));
        }
    }

    @Override
    public void startPart(MimePart part) {
        signed |= SIGNED_TYPES.contains(part.mimeType());
    }

    @Override
    public FilterVerdict finish() {
        FilterVerdict verdict = FilterVerdict.accept();
        String code = "";
        if (marks != null) {
            try {
                String id = messageId.isEmpty() ? "<" + context.key() + ">" : messageId;
                code = marks.mark(context.recipient(), id, context.key(), Instant.now())
                        .code();
            } catch (IOException e) {
                return FilterVerdict.defer("Trace mark not recorded, try again later")
                        .withReason("cannot write the trace ledger: " + e);
            }
            verdict = verdict.withHeader(settings.traceHeader(), code);
        }
        if (signed) {
            return settings.tagSigned()
                    ? verdict.withHeader("X-Mailroom-Footer", "not added: the message is signed or encrypted")
                    : verdict;
        }
        return verdict.withRewrite(new FooterRewrite(footer.withTrace(code)));
    }
}
