package org.mailroom.filter.footer.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.Base64InputStream;
import org.apache.james.mime4j.codec.Base64OutputStream;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;
import org.apache.james.mime4j.codec.QuotedPrintableOutputStream;
import org.apache.james.mime4j.parser.AbstractContentHandler;
import org.apache.james.mime4j.parser.MimeStreamParser;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.mailroom.api.filter.MessageRewrite;

/**
 * Adds a footer to a message as it streams through, MIME-correctly: appended to the main
 * {@code text/plain} body and inserted before {@code </body>} of the main HTML body (both
 * alternatives of a {@code multipart/alternative}), in the part's own charset and transfer
 * encoding; as a part of its own where the body cannot take it (a message that is only an
 * attachment, a charset that cannot write the footer). With a logo, the HTML footer shows it
 * inline ({@code cid:}) from a part added to the HTML's {@code multipart/related}, made for it
 * where there is none. Everything else (other parts, their octets, attached messages) is copied as
 * it was; parsing is Mime4j's ({@link MimeStreamParser}), with content decoding off.
 */
final class FooterRewrite implements MessageRewrite {

    /** The logo's Content-ID, referenced by the HTML footer. */
    static final String LOGO_ID = "mailroom-footer-logo@mailroom";

    /** An HTML body larger than this is not searched for its end: the footer goes after it. */
    private static final int MAX_HTML = 16 * 1024 * 1024;

    private static final byte[] CRLF = {'\r', '\n'};

    private final Footer footer;

    FooterRewrite(Footer footer) {
        this.footer = footer;
    }

    @Override
    public void rewrite(InputStream message, OutputStream out) throws IOException {
        MimeStreamParser parser = new MimeStreamParser(MimeConfig.PERMISSIVE);
        parser.setContentDecoding(false);
        parser.setNoRecurse();
        Writer writer = new Writer(out);
        parser.setContentHandler(writer);
        try {
            parser.parse(message);
        } catch (MimeException e) {
            throw new IOException("cannot parse the message to add the footer: " + e.getMessage(), e);
        }
        out.flush();
    }

    /** What is done with an entity. */
    private enum Role {
        /** Copied as it is, with everything inside it. */
        COPY,
        /** A multipart that holds the main body somewhere. */
        MAIN,
        /** The main plain-text body: the footer is appended. */
        TEXT,
        /** The main HTML body: the footer goes before its end. */
        HTML
    }

    /** One entity (the message, or a body part) while it is parsed. */
    private static final class Entity {
        final Entity parent;
        final List<Field> fields = new ArrayList<>();
        String type = "text/plain";
        String charset;
        String encoding = "7bit";
        boolean attachment;
        Role role = Role.COPY;
        int children;
        String boundary;
        long preamble;
        boolean closed;
        /** Parts to add to this multipart before its close delimiter. */
        final List<byte[]> extraParts = new ArrayList<>();
        /** When set, the entity is wrapped in a multipart of this type with the wrap's extra part. */
        String wrapType;

        String wrapBoundary;
        byte[] wrapPart;
        /** For a TEXT body written in quoted-printable where it was 7bit. */
        boolean toQuotedPrintable;

        Entity(Entity parent) {
            this.parent = parent;
        }

        boolean isMultipart() {
            return type.startsWith("multipart/");
        }

        boolean bodyLike() {
            return !attachment
                    && (type.equals("text/plain")
                            || type.equals("text/html")
                            || type.equals("multipart/alternative")
                            || type.equals("multipart/related"));
        }
    }

    private final class Writer extends AbstractContentHandler {
        private final OutputStream out;
        private final Deque<Entity> open = new ArrayDeque<>();

        Writer(OutputStream out) {
            this.out = out;
        }

        @Override
        public void startMessage() {
            if (open.isEmpty()) {
                open.push(new Entity(null));
            }
        }

        @Override
        public void startBodyPart() throws MimeException {
            Entity parent = open.peek();
            write(parent.children == 0 && parent.preamble == 0 ? new byte[0] : CRLF);
            write(("--" + parent.boundary + "\r\n").getBytes(US_ASCII));
            parent.children++;
            open.push(new Entity(parent));
        }

        @Override
        public void field(Field field) {
            Entity e = open.peek();
            e.fields.add(field);
            String name = field.getNameLowerCase();
            String value = field.getBody() == null ? "" : field.getBody().strip();
            if (name.equals("content-type")) {
                String[] parts = value.split(";");
                e.type = parts[0].strip().toLowerCase(Locale.ROOT);
                if (!e.type.contains("/")) {
                    e.type = "text/plain";
                }
                e.charset = parameter(value, "charset");
                if (parameter(value, "name") != null) {
                    e.attachment = true;
                }
            } else if (name.equals("content-transfer-encoding")) {
                e.encoding = value.toLowerCase(Locale.ROOT);
            } else if (name.equals("content-disposition")) {
                String disposition = value.split(";")[0].strip().toLowerCase(Locale.ROOT);
                e.attachment |= disposition.equals("attachment") || parameter(value, "filename") != null;
            }
        }

        @Override
        public void endHeader() throws MimeException {
            Entity e = open.peek();
            decide(e);
            if (e.wrapType != null) {
                e.wrapBoundary = "=_mailroom_" + UUID.randomUUID();
                String wrapHeader = "Content-Type: " + e.wrapType + "; boundary=\"" + e.wrapBoundary + "\"\r\n";
                if (e.parent == null) {
                    boolean mimeVersion = false;
                    for (Field f : e.fields) {
                        if (!isContentField(f)) {
                            writeField(f);
                            mimeVersion |= f.getNameLowerCase().equals("mime-version");
                        }
                    }
                    write(((mimeVersion ? "" : "MIME-Version: 1.0\r\n") + wrapHeader + "\r\n").getBytes(US_ASCII));
                    write(("--" + e.wrapBoundary + "\r\n").getBytes(US_ASCII));
                    for (Field f : e.fields) {
                        if (isContentField(f)) {
                            writeField(f);
                        }
                    }
                } else {
                    write((wrapHeader + "\r\n--" + e.wrapBoundary + "\r\n").getBytes(US_ASCII));
                    e.fields.forEach(this::writeField);
                }
                if (e.fields.stream().noneMatch(f -> f.getNameLowerCase().equals("content-type"))) {
                    // the wrapped part says what it is: a part without header fields puzzles some readers
                    write("Content-Type: text/plain; charset=us-ascii\r\n".getBytes(US_ASCII));
                }
            } else {
                for (Field f : e.fields) {
                    if (e.toQuotedPrintable && f.getNameLowerCase().equals("content-transfer-encoding")) {
                        continue;
                    }
                    writeField(f);
                }
                if (e.toQuotedPrintable) {
                    write("Content-Transfer-Encoding: quoted-printable\r\n".getBytes(US_ASCII));
                }
            }
            write(CRLF);
        }

        /** The entity's role from its parent's and its own type; and how the footer gets in. */
        private void decide(Entity e) {
            Entity p = e.parent;
            if (p == null) {
                e.role = main(e);
            } else if (p.role != Role.MAIN) {
                e.role = Role.COPY;
            } else if (p.type.equals("multipart/alternative")) {
                e.role = e.type.equals("text/plain") || e.type.equals("text/html") || e.type.equals("multipart/related")
                        ? main(e)
                        : Role.COPY;
            } else if (p.children > 1) {
                e.role = Role.COPY;
            } else if (p.type.equals("multipart/related") || e.bodyLike()) {
                e.role = main(e);
            } else {
                // The first part of a mixed message is an attachment: the footer is a part of its own.
                e.role = Role.COPY;
                p.extraParts.add(footerPart());
            }
            if (e.role == Role.TEXT && !canWrite(e)) {
                e.role = Role.COPY;
                wrap(e, "multipart/mixed", footerPart());
            }
            if (e.role == Role.HTML && footer.logo() != null) {
                if (p != null && p.type.equals("multipart/related") && p.role == Role.MAIN) {
                    p.extraParts.add(logoPart());
                } else {
                    wrap(e, "multipart/related", logoPart());
                }
            }
        }

        private Role main(Entity e) {
            if (e.attachment) {
                wrap(e, "multipart/mixed", footerPart());
                return Role.COPY;
            }
            if (e.type.equals("multipart/signed") || e.type.equals("multipart/encrypted")) {
                return Role.COPY; // the session leaves signed mail alone; never reached through it
            }
            if (e.isMultipart()) {
                return Role.MAIN;
            }
            if (e.type.equals("text/plain")) {
                return Role.TEXT;
            }
            if (e.type.equals("text/html")) {
                return Role.HTML;
            }
            wrap(e, "multipart/mixed", footerPart());
            return Role.COPY;
        }

        private void wrap(Entity e, String type, byte[] part) {
            e.wrapType = type;
            e.wrapPart = part;
        }

        /** Whether the part's charset can write the footer; 7bit parts switch to quoted-printable. */
        private boolean canWrite(Entity e) {
            Charset charset = charsetOf(e);
            if (charset == null || !charset.newEncoder().canEncode(footer.text())) {
                return false;
            }
            boolean ascii = US_ASCII.newEncoder().canEncode(footer.text());
            e.toQuotedPrintable = !ascii && (e.encoding.equals("7bit") || e.encoding.isEmpty());
            return true;
        }

        @Override
        public void startMultipart(BodyDescriptor bd) {
            open.peek().boundary = bd.getBoundary();
        }

        @Override
        public void preamble(InputStream is) throws IOException {
            open.peek().preamble = is.transferTo(out);
        }

        @Override
        public void epilogue(InputStream is) throws IOException {
            close(open.peek());
            out.write(CRLF); // the line break after the close delimiter, which the epilogue does not hold
            is.transferTo(out);
        }

        @Override
        public void endMultipart() throws MimeException {
            Entity e = open.peek();
            if (!e.closed) {
                try {
                    close(e);
                } catch (IOException x) {
                    throw new java.io.UncheckedIOException(x);
                }
                write(CRLF);
            }
        }

        /** The multipart's added parts and its close delimiter. */
        private void close(Entity e) throws IOException {
            for (byte[] part : e.extraParts) {
                out.write(("\r\n--" + e.boundary + "\r\n").getBytes(US_ASCII));
                out.write(part);
            }
            out.write(("\r\n--" + e.boundary + "--").getBytes(US_ASCII));
            e.closed = true;
        }

        @Override
        public void body(BodyDescriptor bd, InputStream is) throws IOException {
            Entity e = open.peek();
            switch (e.role) {
                case TEXT -> appendText(e, is);
                case HTML -> insertHtml(e, is);
                default -> is.transferTo(out);
            }
        }

        @Override
        public void endBodyPart() throws MimeException {
            end(open.pop());
        }

        @Override
        public void endMessage() throws MimeException {
            if (open.size() == 1) {
                end(open.pop());
            }
        }

        private void end(Entity e) throws MimeException {
            if (e.wrapType != null) {
                write(("\r\n--" + e.wrapBoundary + "\r\n").getBytes(US_ASCII));
                write(e.wrapPart);
                write(("\r\n--" + e.wrapBoundary + "--\r\n").getBytes(US_ASCII));
            }
        }

        private void appendText(Entity e, InputStream raw) throws IOException {
            Charset charset = charsetOf(e);
            OutputStream body = encoder(e.toQuotedPrintable ? "quoted-printable" : e.encoding);
            byte[] buffer = new byte[16 * 1024];
            int last = '\n';
            try (InputStream decoded = decoder(e.encoding, raw)) {
                for (int n = decoded.read(buffer); n >= 0; n = decoded.read(buffer)) {
                    if (n > 0) {
                        body.write(buffer, 0, n);
                        last = buffer[n - 1];
                    }
                }
            }
            String text = (last == '\n' ? "" : "\r\n") + "\r\n" + crlf(footer.text()) + "\r\n";
            body.write(text.getBytes(charset));
            body.close();
        }

        private void insertHtml(Entity e, InputStream raw) throws IOException {
            Charset charset = charsetOf(e) == null ? UTF_8 : charsetOf(e);
            OutputStream body = encoder(e.encoding);
            ByteArrayOutputStream html = new ByteArrayOutputStream();
            byte[] buffer = new byte[16 * 1024];
            boolean tooLarge = false;
            try (InputStream decoded = decoder(e.encoding, raw)) {
                for (int n = decoded.read(buffer); n >= 0; n = decoded.read(buffer)) {
                    if (tooLarge) {
                        body.write(buffer, 0, n);
                    } else {
                        html.write(buffer, 0, n);
                        if (html.size() > MAX_HTML) {
                            html.writeTo(body);
                            tooLarge = true;
                        }
                    }
                }
            }
            byte[] insert = htmlFooter(e.encoding.equals("7bit") || e.encoding.isEmpty() ? US_ASCII : charset, charset);
            if (tooLarge) {
                body.write(insert);
            } else {
                byte[] octets = html.toByteArray();
                int at = lastBodyEnd(octets);
                body.write(octets, 0, at);
                body.write(insert);
                body.write(octets, at, octets.length - at);
            }
            body.close();
        }

        /**
         * The HTML footer in the part's charset; characters that {@code writable} (the charset, or
         * ASCII for a 7bit part) cannot write as character references.
         */
        private byte[] htmlFooter(Charset writable, Charset charset) {
            String html = footer.html()
                    + (footer.logo() == null ? "" : "<div><img src=\"cid:" + LOGO_ID + "\" alt=\"\"></div>");
            CharsetEncoder encoder = writable.newEncoder();
            StringBuilder out = new StringBuilder();
            html.codePoints().forEach(cp -> {
                String ch = new String(Character.toChars(cp));
                out.append(encoder.canEncode(ch) ? ch : "&#x" + Integer.toHexString(cp) + ";");
            });
            return ("\r\n" + crlf(out.toString()) + "\r\n").getBytes(charset);
        }

        /** Where {@code </body} starts (the last one, any case), or the end. */
        private int lastBodyEnd(byte[] html) {
            byte[] tag = "</body".getBytes(US_ASCII);
            for (int i = html.length - tag.length; i >= 0; i--) {
                int j = 0;
                while (j < tag.length && Character.toLowerCase(html[i + j]) == tag[j]) {
                    j++;
                }
                if (j == tag.length) {
                    return i;
                }
            }
            return html.length;
        }

        private InputStream decoder(String encoding, InputStream raw) {
            return switch (encoding) {
                case "base64" -> new Base64InputStream(raw);
                case "quoted-printable" -> new QuotedPrintableInputStream(raw);
                default -> raw;
            };
        }

        /** An encoder onto the output that its close() finishes without closing the output. */
        private OutputStream encoder(String encoding) {
            OutputStream shielded = new FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    out.flush();
                }
            };
            return switch (encoding) {
                case "base64" -> new Base64OutputStream(shielded);
                case "quoted-printable" -> new QuotedPrintableOutputStream(shielded, false);
                default -> shielded;
            };
        }

        private void writeField(Field f) {
            write(f.getRaw().toByteArray());
            write(CRLF);
        }

        private void write(byte[] octets) {
            try {
                out.write(octets);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** The footer as a part of its own: UTF-8 text, base64. */
    private byte[] footerPart() {
        return ("Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: inline\r\n"
                        + "Content-Transfer-Encoding: base64\r\n\r\n"
                        + base64(footer.text().getBytes(UTF_8)))
                .getBytes(US_ASCII);
    }

    private byte[] logoPart() {
        return ("Content-Type: " + footer.logoType() + "\r\nContent-ID: <" + LOGO_ID + ">\r\n"
                        + "Content-Disposition: inline\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                        + base64(footer.logo()))
                .getBytes(US_ASCII);
    }

    private static String base64(byte[] octets) {
        return Base64.getMimeEncoder(76, CRLF).encodeToString(octets);
    }

    private static String crlf(String text) {
        return text.replace("\r\n", "\n").replace("\n", "\r\n");
    }

    private static boolean isContentField(Field f) {
        return f.getNameLowerCase().startsWith("content-");
    }

    private static Charset charsetOf(Entity e) {
        String name = e.charset == null ? "us-ascii" : e.charset;
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException ex) {
            return null;
        }
    }

    /** A parameter's value from a structured field's body (quotes removed), or null. */
    static String parameter(String value, String name) {
        for (String p : value.split(";")) {
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase(name)) {
                String v = p.substring(eq + 1).strip();
                return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
            }
        }
        return null;
    }
}
