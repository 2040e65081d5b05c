package org.mailroom.delivery.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.parser.AbstractContentHandler;
import org.apache.james.mime4j.parser.MimeStreamParser;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.NameValuePair;
import org.apache.james.mime4j.stream.RawBody;
import org.apache.james.mime4j.stream.RawField;
import org.apache.james.mime4j.stream.RawFieldParser;
import org.apache.james.mime4j.util.MimeUtil;
import org.mailroom.api.filter.MimeField;
import org.mailroom.api.filter.MimePart;

/**
 * Parses a message once, as it streams (Mime4j's {@link MimeStreamParser}, descending into
 * attached messages), and tells a {@link Listener} what it finds: the message's header fields,
 * then each leaf part with its decoded octets and, for text, its decoded characters. Nothing
 * but one part's header fields and two chunk buffers is held in memory.
 */
final class MessageWalker {

    /** What the walker reports; {@link FilterChain} fans it out to the filters' sessions. */
    interface Listener {
        void header(MimeField field);

        void startPart(MimePart part);

        void content(MimePart part, byte[] octets, int offset, int length);

        void text(MimePart part, CharSequence chars);

        void endPart(MimePart part);
    }

    private static final int CHUNK = 8192;
    /** No limits of Mime4j's own: the protocols limit message and line sizes. */
    private static final MimeConfig CONFIG = new MimeConfig.Builder()
            .setMaxLineLen(-1)
            .setMaxHeaderLen(-1)
            .setMaxHeaderCount(-1)
            .setMaxContentLen(-1)
            .setStrictParsing(false)
            .build();

    private MessageWalker() {}

    static void walk(InputStream message, Listener listener) throws IOException {
        MimeStreamParser parser = new MimeStreamParser(CONFIG, DecodeMonitor.SILENT, null);
        parser.setContentDecoding(true);
        parser.setRecurse();
        parser.setContentHandler(new Handler(listener));
        try {
            parser.parse(message);
        } catch (MimeException e) {
            // Lenient parsing does not throw for bad MIME; this is a failure underneath.
            throw new IOException("cannot parse the message: " + e.getMessage(), e);
        }
    }

    /** One entity: the message, a body part, or a message attached in a body part. */
    private static final class Entity {
        final String path;
        final boolean message;
        final List<MimeField> fields = new ArrayList<>();
        int children;

        Entity(String path, boolean message) {
            this.path = path;
            this.message = message;
        }
    }

    private static final class Handler extends AbstractContentHandler {
        private final Listener listener;
        private final Deque<Entity> entities = new ArrayDeque<>();
        private final byte[] octets = new byte[CHUNK];
        private final char[] chars = new char[CHUNK];

        Handler(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void startMessage() {
            Entity part = entities.peek();
            entities.push(new Entity(part == null ? "" : part.path, true));
        }

        @Override
        public void endMessage() {
            entities.pop();
        }

        @Override
        public void startBodyPart() {
            Entity parent = entities.peek();
            int n = ++parent.children;
            entities.push(new Entity(parent.path.isEmpty() ? Integer.toString(n) : parent.path + "." + n, false));
        }

        @Override
        public void endBodyPart() {
            entities.pop();
        }

        @Override
        public void field(Field raw) {
            String name = raw.getName();
            String unfolded =
                    MimeUtil.unfold(raw.getBody() == null ? "" : raw.getBody()).strip();
            MimeField field =
                    new MimeField(name, DecoderUtil.decodeEncodedWords(unfolded, DecodeMonitor.SILENT), unfolded);
            Entity entity = entities.peek();
            entity.fields.add(field);
            if (entities.size() == 1) {
                listener.header(field);
            }
        }

        @Override
        public void body(BodyDescriptor descriptor, InputStream body) throws IOException {
            Entity entity = entities.peek();
            String path = !entity.message ? entity.path : entity.path.isEmpty() ? "1" : entity.path + ".1";
            Part part = part(path, descriptor, entity.fields);
            listener.startPart(part);
            CharsetDecoder decoder = part.charset() == null
                    ? null
                    : Charsets.forMime(part.charset())
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPLACE)
                            .onUnmappableCharacter(CodingErrorAction.REPLACE);
            ByteBuffer pending = ByteBuffer.allocate(CHUNK + 16);
            CharBuffer out = CharBuffer.wrap(chars);
            int n;
            while ((n = body.read(octets)) > 0) {
                listener.content(part, octets, 0, n);
                if (decoder != null) {
                    pending.put(octets, 0, n).flip();
                    decode(decoder, pending, out, part, false);
                    pending.compact();
                }
            }
            if (decoder != null) {
                pending.flip();
                decode(decoder, pending, out, part, true);
                out.clear();
                decoder.flush(out);
                emit(out, part);
            }
            listener.endPart(part);
        }

        private void decode(CharsetDecoder decoder, ByteBuffer in, CharBuffer out, MimePart part, boolean last) {
            while (true) {
                out.clear();
                var result = decoder.decode(in, out, last);
                emit(out, part);
                if (!result.isOverflow()) {
                    return;
                }
            }
        }

        private void emit(CharBuffer out, MimePart part) {
            out.flip();
            if (out.hasRemaining()) {
                listener.text(part, out);
            }
        }
    }

    private static Part part(String path, BodyDescriptor descriptor, List<MimeField> fields) {
        String mimeType = descriptor.getMimeType() == null
                ? "text/plain"
                : descriptor.getMimeType().toLowerCase(Locale.ROOT);
        String charset = null;
        if (mimeType.startsWith("text/")) {
            charset = descriptor.getCharset() == null
                    ? "us-ascii"
                    : descriptor.getCharset().toLowerCase(Locale.ROOT);
        }
        String disposition = null;
        String fileName = null;
        String typeName = null;
        for (MimeField f : fields) {
            if (f.name().equalsIgnoreCase("Content-Disposition")) {
                RawBody body = RawFieldParser.DEFAULT.parseRawBody(new RawField(f.name(), f.raw()));
                disposition = body.getValue() == null ? null : body.getValue().toLowerCase(Locale.ROOT);
                fileName = Rfc2231.value(body.getParams(), "filename");
            } else if (f.name().equalsIgnoreCase("Content-Type")) {
                List<NameValuePair> params = RawFieldParser.DEFAULT
                        .parseRawBody(new RawField(f.name(), f.raw()))
                        .getParams();
                typeName = Rfc2231.value(params, "name");
            }
        }
        String name = fileName != null ? fileName : typeName;
        if (name != null) {
            name = DecoderUtil.decodeEncodedWords(name, DecodeMonitor.SILENT);
        }
        boolean attachment = "attachment".equals(disposition) || (name != null && !name.isEmpty());
        return new Part(path, mimeType, charset, name, attachment, List.copyOf(fields));
    }

    record Part(
            String path, String mimeType, String charset, String fileName, boolean attachment, List<MimeField> headers)
            implements MimePart {}
}
