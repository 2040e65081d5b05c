package org.mailroom.smtp.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.mailroom.api.address.Resolution;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.Credentials;
import org.mailroom.api.auth.PasswordCredentials;
import org.mailroom.api.delivery.Verdict;
import org.mailroom.api.protocol.Connection;
import org.mailroom.api.protocol.LogText;
import org.mailroom.api.protocol.ProtocolSession;
import org.mailroom.api.sasl.SaslException;
import org.mailroom.api.sasl.SaslExchange;
import org.mailroom.api.sasl.SaslMechanism;
import org.mailroom.api.sasl.SaslStep;
import org.mailroom.api.spool.SpoolException;
import org.mailroom.api.spool.SpoolRecipient;
import org.mailroom.api.spool.SpoolWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP, submission or LMTP session (RFC 5321, 6409, 2033), as a state machine over the
 * transport's callbacks. Services are looked up for every command that needs them; while one is
 * missing (its bundle being replaced) the command waits up to {@code serviceWaitMillis} without
 * holding a thread, then gets a 4xx reply. Pipelined commands are answered in order because the
 * transport delivers no input while the session waits.
 */
final class SmtpSession implements ProtocolSession {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpSession.class);
    private static final Duration RETRY = Duration.ofMillis(100);

    private enum State {
        COMMANDS,
        DATA,
        BDAT,
        SASL,
        /** After a refused token, the error challenge was sent: the next line, whatever it is, ends AUTH. */
        SASL_FAILURE,
        CLOSED
    }

    /** One accepted RCPT: the address as given and the users it reaches. */
    private record Recipient(String address, List<String> users) {}

    private final Mode mode;
    private final Connection connection;
    private final SmtpServices services;
    private final SmtpSettings settings;

    private State state = State.COMMANDS;
    private String helo;
    private boolean esmtp;
    private String user;
    private Path sender;
    private MailParameters mailParameters;
    private final List<Recipient> recipients = new ArrayList<>();
    private SpoolWriter writer;
    private DataReader data;
    private BdatSink bdat;
    private SaslExchange sasl;
    private int lineLengthBefore;
    private int badCommands;
    private int commandsWithoutMail;
    private Runnable whenClosed;

    SmtpSession(Mode mode, Connection connection, SmtpServices services, SmtpSettings settings) {
        this.mode = mode;
        this.connection = connection;
        this.services = services;
        this.settings = settings;
    }

    /** Closes the session from any thread when the protocol bundle stops; the client retries later. */
    void shutdown() {
        connection.close(Reply.of(421, "4.3.2", settings.hostname() + " Service shutting down, try again later")
                .toString());
    }

    void greet() {
        connection.send(Reply.plain(220, settings.hostname() + (mode == Mode.LMTP ? " LMTP" : " ESMTP") + " Mailroom")
                .toString());
    }

    // ---- transport callbacks

    @Override
    public void onLine(byte[] line) {
        switch (state) {
            case DATA -> dataLine(line);
            case SASL -> saslContinue(new String(line, US_ASCII).trim());
            case SASL_FAILURE -> endFailureChallenge();
            case COMMANDS -> command(line);
            default -> LOG.debug("input in state {} ignored", state);
        }
    }

    @Override
    public void onLineTooLong() {
        switch (state) {
            case DATA -> data.onLineTooLong();
            case SASL -> {
                endSasl();
                bad(Reply.of(500, "5.5.6", "Authentication exchange line is too long"));
            }
            case SASL_FAILURE -> endFailureChallenge();
            default -> bad(Reply.of(500, "5.5.2", "Error: line too long"));
        }
    }

    @Override
    public void onIdle() {
        send(Reply.of(421, "4.4.2", settings.hostname() + " Error: timeout exceeded"));
    }

    @Override
    public void onClosed() {
        state = State.CLOSED;
        discardMessage();
        if (whenClosed != null) {
            whenClosed.run();
        }
    }

    void whenClosed(Runnable action) {
        whenClosed = action;
    }

    // ---- commands

    private void command(byte[] line) {
        Command command;
        try {
            command = Command.parse(line, true);
        } catch (SmtpSyntaxException e) {
            bad(e.reply());
            return;
        }
        String arg = command.argument();
        switch (command.verb()) {
            case "EHLO", "HELO" -> {
                if (mode == Mode.LMTP) {
                    bad(Reply.of(500, "5.5.1", "Error: this is LMTP, say LHLO"));
                } else {
                    hello(arg, command.verb().equals("EHLO"));
                }
            }
            case "LHLO" -> {
                if (mode == Mode.LMTP) {
                    hello(arg, true);
                } else {
                    bad(Reply.of(500, "5.5.1", "Error: command not recognized"));
                }
            }
            case "MAIL" -> mail(arg);
            case "RCPT" -> rcpt(arg);
            case "DATA" -> data(arg);
            case "BDAT" -> bdat(arg);
            case "RSET" -> {
                if (counted()) {
                    resetTransaction();
                    send(Reply.of(250, "2.0.0", "Ok"));
                }
            }
            case "NOOP" -> {
                if (counted()) {
                    send(Reply.of(250, "2.0.0", "Ok"));
                }
            }
            case "QUIT" -> {
                state = State.CLOSED;
                discardMessage();
                connection.close(Reply.of(221, "2.0.0", "Bye").toString());
            }
            case "VRFY" -> vrfy(arg);
            case "EXPN" -> bad(Reply.of(502, "5.5.1", "Error: EXPN is not available"));
            case "HELP" -> {
                if (counted()) {
                    send(Reply.of(
                            214,
                            "2.0.0",
                            List.of(
                                    "Commands: " + (mode == Mode.LMTP ? "LHLO" : "EHLO HELO")
                                            + " MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY STARTTLS"
                                            + (mode == Mode.SUBMISSION ? " AUTH" : ""),
                                    "See RFC 5321")));
                }
            }
            case "STARTTLS" -> startTls(arg);
            case "AUTH" -> auth(arg);
            default -> bad(Reply.of(500, "5.5.2", "Error: command not recognized"));
        }
    }

    private void hello(String name, boolean extended) {
        if (!counted()) {
            return;
        }
        if (name.isEmpty()) {
            bad(Reply.of(501, "5.5.4", "Syntax: " + (extended ? "EHLO" : "HELO") + " hostname"));
            return;
        }
        resetTransaction();
        helo = name;
        esmtp = extended;
        if (!extended) {
            send(Reply.plain(250, settings.hostname()));
            return;
        }
        List<String> keywords = new ArrayList<>(List.of(
                "PIPELINING",
                "SIZE " + settings.maxMessageSize(),
                "ENHANCEDSTATUSCODES",
                "8BITMIME",
                "SMTPUTF8",
                "CHUNKING",
                "DSN"));
        if (connection.isStartTlsAvailable()) {
            keywords.add("STARTTLS");
        }
        if (mode == Mode.SUBMISSION && user == null) {
            List<String> offered = new ArrayList<>();
            for (SaslMechanism m : services.mechanisms()) {
                if (!m.exposesSecret() || plaintextAllowed()) {
                    offered.add(m.name());
                }
            }
            if (!offered.isEmpty()) {
                keywords.add("AUTH " + String.join(" ", offered));
            }
        }
        send(Reply.ehlo(settings.hostname() + " Hello " + Reply.quote(name, 64), keywords));
    }

    private void mail(String arg) {
        if (helo == null) {
            bad(Reply.of(503, "5.5.1", "Error: send " + (mode == Mode.LMTP ? "LHLO" : "HELO/EHLO") + " first"));
            return;
        }
        if (sender != null) {
            bad(Reply.of(503, "5.5.1", "Error: nested MAIL command"));
            return;
        }
        if (mode == Mode.SUBMISSION && user == null) {
            bad(Reply.of(530, "5.7.0", "Authentication required"));
            return;
        }
        Path path;
        MailParameters parameters;
        try {
            parameters = MailParameters.parse(arg);
            path = Path.parseReverse(arg, parameters.smtputf8());
        } catch (SmtpSyntaxException e) {
            bad(e.reply());
            return;
        }
        if (!esmtp && !parameters.isEmpty()) {
            bad(Reply.of(555, "5.5.4", "Error: MAIL parameters need EHLO"));
            return;
        }
        if (parameters.body() == MailParameters.Body.BINARY_MIME) {
            bad(Reply.of(555, "5.5.4", "Error: BODY=BINARYMIME is not supported"));
            return;
        }
        if (parameters.size() > settings.maxMessageSize()) {
            bad(Reply.of(552, "5.3.4", "Message size exceeds fixed limit"));
            return;
        }
        if (mode == Mode.SUBMISSION && settings.senderMustBeOwned()) {
            String address = path.address();
            awaitService(
                    services::addresses,
                    addresses -> {
                        if (!path.isNull() && addresses.isAddressOf(user, address)) {
                            acceptSender(path, parameters);
                        } else {
                            bad(Reply.of(
                                    553,
                                    "5.7.1",
                                    "<" + Reply.quote(address, 256) + ">: Sender address rejected: not owned by user "
                                            + Reply.quote(user, 64)));
                        }
                    },
                    () -> send(Reply.of(451, "4.3.0", "Error: temporary lookup failure, try again later")));
            return;
        }
        acceptSender(path, parameters);
    }

    private void acceptSender(Path path, MailParameters parameters) {
        sender = path;
        mailParameters = parameters;
        commandsWithoutMail = 0;
        if (mode != Mode.SUBMISSION) {
            connection.authenticated(null);
        }
        send(Reply.of(250, "2.1.0", "Ok"));
    }

    private void rcpt(String arg) {
        if (sender == null) {
            bad(Reply.of(503, "5.5.1", "Error: need MAIL command"));
            return;
        }
        if (recipients.size() >= settings.maxRecipients()) {
            send(Reply.of(452, "4.5.3", "Error: too many recipients"));
            return;
        }
        Path path;
        try {
            RcptParameters.parse(arg);
            path = Path.parseForward(arg, mailParameters.smtputf8());
        } catch (SmtpSyntaxException e) {
            bad(e.reply());
            return;
        }
        String address = path.isPostmaster() ? "postmaster" : path.address();
        String shown = "<" + Reply.quote(address, 256) + ">";
        awaitService(
                services::addresses,
                addresses -> {
                    Resolution r = addresses.resolve(address);
                    switch (r.kind()) {
                        case LOCAL -> {
                            recipients.add(new Recipient(address, r.users()));
                            send(Reply.of(250, "2.1.5", "Ok"));
                        }
                        case UNKNOWN ->
                            bad(Reply.of(550, "5.1.1", shown + ": Recipient address rejected: User unknown"));
                        case FOREIGN ->
                            bad(Reply.of(
                                    550,
                                    "5.7.1",
                                    shown + ": Relay access denied"
                                            + (mode == Mode.SUBMISSION
                                                    ? " (Mailroom delivers to local domains only)"
                                                    : "")));
                        default -> send(Reply.of(451, "4.3.0", shown + ": Temporary lookup failure"));
                    }
                },
                () -> send(Reply.of(451, "4.3.0", shown + ": Temporary lookup failure")));
    }

    private void data(String arg) {
        if (!arg.isEmpty()) {
            bad(Reply.of(501, "5.5.4", "Syntax: DATA"));
            return;
        }
        if (!transactionReady()) {
            return;
        }
        if (writer != null) {
            bad(Reply.of(503, "5.5.1", "Error: BDAT in progress; DATA cannot follow"));
            return;
        }
        openMessage(() -> {
            data = new DataReader(writer.content(), settings.maxMessageSize(), settings.bareLineEnds());
            lineLengthBefore = connection.maxLineLength();
            connection.setMaxLineLength(settings.maxDataLineLength());
            connection.setCrlfOnly(true);
            state = State.DATA;
            send(Reply.plain(354, "End data with <CR><LF>.<CR><LF>"));
        });
    }

    private void dataLine(byte[] line) {
        if (!data.line(line)) {
            return;
        }
        connection.setCrlfOnly(false);
        connection.setMaxLineLength(lineLengthBefore);
        state = State.COMMANDS;
        String refusal = data.refusal();
        data = null;
        if (refusal != null) {
            refuseMessage(refusal);
        } else {
            commitMessage();
        }
    }

    private void bdat(String arg) {
        Bdat chunk;
        try {
            chunk = Bdat.parse(arg);
        } catch (SmtpSyntaxException e) {
            // The size is unknown, so the octets that follow cannot be told from commands.
            state = State.CLOSED;
            discardMessage();
            connection.close(e.reply().toString());
            return;
        }
        Reply refusal = null;
        if (sender == null) {
            refusal = Reply.of(503, "5.5.1", "Error: need MAIL command");
        } else if (recipients.isEmpty()) {
            refusal = Reply.of(554, "5.5.1", "Error: no valid recipients");
        }
        if (refusal != null) {
            // The chunk's octets are read and dropped, so that they are not taken for commands.
            Reply reply = refusal;
            connection.readOctets(chunk.size(), OutputStream.nullOutputStream(), failure -> bad(reply));
            return;
        }
        if (writer == null) {
            openMessage(() -> {
                bdat = new BdatSink(writer.content(), settings.maxMessageSize(), settings.bareLineEnds());
                readChunk(chunk);
            });
        } else {
            readChunk(chunk);
        }
    }

    private void readChunk(Bdat chunk) {
        state = State.BDAT;
        connection.readOctets(chunk.size(), bdat, failure -> {
            state = State.COMMANDS;
            String refusal = failure != null ? DataReader.WRITE_FAILED : bdat.refusal(chunk.last());
            if (refusal != null) {
                refuseMessage(refusal);
            } else if (chunk.last()) {
                commitMessage();
            } else {
                send(Reply.of(250, "2.0.0", chunk.size() + " octets received"));
            }
        });
    }

    /** Opens a spool writer with the Received header in it, waiting for the spool if needed. */
    private void openMessage(Runnable then) {
        List<SpoolRecipient> spooled = spooledRecipients();
        awaitService(
                services::spool,
                spool -> {
                    try {
                        writer = spool.receive(sender.address(), spooled);
                        String single =
                                recipients.size() == 1 ? recipients.get(0).address() : null;
                        writer.content()
                                .write(ReceivedHeader.build(
                                                mode,
                                                esmtp,
                                                helo,
                                                connection.remoteAddress(),
                                                connection.tlsSession(),
                                                user,
                                                settings.hostname(),
                                                writer.id(),
                                                single,
                                                mailParameters.smtputf8(),
                                                ZonedDateTime.now())
                                        .getBytes(UTF_8));
                    } catch (SpoolException | IOException e) {
                        LOG.warn("SMTP: cannot start a message in the spool: {}", e.toString());
                        discardMessage();
                        send(Reply.of(451, "4.3.0", "Error: queue file write error, try again later"));
                        return;
                    }
                    then.run();
                },
                () -> send(Reply.of(451, "4.3.0", "Error: the mail queue is not available, try again later")));
    }

    /**
     * Delivers before the reply where the spool does, so that the content filters' verdicts go
     * into it: SMTP refuses the message when every recipient's delivery was refused (else accepts
     * it, and the spool answers for the refused recipients later); LMTP refuses each recipient
     * all of whose mailboxes were refused and accepts the rest.
     */
    private void commitMessage() {
        String id;
        Set<String> answered = new HashSet<>();
        List<Reply> replies = new ArrayList<>();
        try {
            Map<String, Verdict> verdicts = writer.deliverBeforeReply();
            if (mode == Mode.LMTP) {
                for (Recipient r : recipients) {
                    Verdict refusal = refusal(verdicts, r.users());
                    replies.add(refusal == null ? null : Reply.refusal(refusal));
                    if (refusal != null) {
                        answered.addAll(r.users());
                    }
                }
            } else {
                List<String> users = new ArrayList<>();
                recipients.forEach(r -> users.addAll(r.users()));
                Verdict refusal = refusal(verdicts, users);
                if (refusal != null) {
                    LOG.info(
                            "{}: message from {} <{}> refused by content filtering: {}",
                            mode.protocol,
                            connection.remoteAddress(),
                            LogText.of(sender.address()),
                            refusal.reason());
                    discardMessage();
                    resetTransaction();
                    send(Reply.refusal(refusal));
                    return;
                }
            }
            id = writer.commit(answered);
        } catch (SpoolException e) {
            LOG.warn("SMTP: cannot queue a message from {}: {}", connection.remoteAddress(), e.getMessage());
            writer = null;
            refuseMessage(Reply.of(451, "4.3.0", "Error: queue file write error, try again later")
                    .toString());
            return;
        }
        writer = null;
        LOG.info(
                "{}: {} from {} <{}> queued as {} for {} recipient(s)",
                mode.protocol,
                user == null ? "message" : "message of " + LogText.of(user),
                connection.remoteAddress(),
                LogText.of(sender.address()),
                id,
                recipients.size() - replies.stream().filter(r -> r != null).count());
        if (mode == Mode.LMTP) {
            for (int i = 0; i < recipients.size(); i++) {
                Reply refused = replies.get(i);
                send(
                        refused != null
                                ? refused
                                : Reply.of(
                                        250,
                                        "2.1.5",
                                        "<" + Reply.quote(recipients.get(i).address(), 256) + "> Ok: queued as " + id));
            }
        } else {
            send(Reply.of(250, "2.0.0", "Ok: queued as " + id));
        }
        resetTransaction();
    }

    /**
     * The refusal that answers for these local users, when a content filter refused the delivery
     * to every one of them before the reply: a deferral if any was deferred (the
     * client tries again, and is told the rest then), else the first rejection; null otherwise.
     */
    private static Verdict refusal(Map<String, Verdict> verdicts, List<String> users) {
        if (users.isEmpty()) {
            return null;
        }
        Verdict rejected = null;
        Verdict deferred = null;
        for (String user : users) {
            Verdict v = verdicts.get(user);
            if (v == null || !v.refused()) {
                return null;
            }
            if (v.outcome() == Verdict.Outcome.DEFERRED) {
                deferred = deferred == null ? v : deferred;
            } else {
                rejected = rejected == null ? v : rejected;
            }
        }
        return deferred != null ? deferred : rejected;
    }

    /** The spool's recipients of the transaction: each recipient's mailboxes, in order. */
    private List<SpoolRecipient> spooledRecipients() {
        List<SpoolRecipient> spooled = new ArrayList<>();
        for (Recipient r : recipients) {
            for (String u : r.users()) {
                spooled.add(new SpoolRecipient(r.address(), u));
            }
        }
        return spooled;
    }

    /** Discards the message and answers with the refusal: once, or once per recipient in LMTP. */
    private void refuseMessage(String refusal) {
        int n = mode == Mode.LMTP ? Math.max(1, recipients.size()) : 1;
        discardMessage();
        resetTransaction();
        for (int i = 0; i < n; i++) {
            connection.send(refusal);
        }
        countBad();
    }

    private void vrfy(String arg) {
        if (!counted()) {
            return;
        }
        if (arg.isEmpty()) {
            bad(Reply.of(501, "5.5.4", "Syntax: VRFY address"));
            return;
        }
        if (!settings.vrfy()) {
            send(Reply.of(252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery"));
            return;
        }
        String address = arg.startsWith("<") && arg.endsWith(">") ? arg.substring(1, arg.length() - 1) : arg;
        awaitService(
                services::addresses,
                addresses -> {
                    Resolution r = addresses.resolve(address);
                    if (r.isLocal()) {
                        send(Reply.of(250, "2.1.5", "<" + Reply.quote(address, 256) + ">"));
                    } else if (r.kind() == Resolution.Kind.UNAVAILABLE) {
                        send(Reply.of(451, "4.3.0", "Temporary lookup failure"));
                    } else {
                        bad(Reply.of(550, "5.1.1", "<" + Reply.quote(address, 256) + ">: Recipient address rejected"));
                    }
                },
                () -> send(Reply.of(451, "4.3.0", "Temporary lookup failure")));
    }

    private void startTls(String arg) {
        if (!arg.isEmpty()) {
            bad(Reply.of(501, "5.5.4", "Syntax: STARTTLS"));
        } else if (connection.isSecure()) {
            bad(Reply.of(503, "5.5.1", "Error: TLS already active"));
        } else if (!connection.isStartTlsAvailable()) {
            bad(Reply.of(502, "5.5.1", "Error: STARTTLS is not available here"));
        } else {
            // RFC 3207 4.2: the client starts again with EHLO, knowing nothing it knew before.
            resetTransaction();
            helo = null;
            esmtp = false;
            connection.startTls(Reply.of(220, "2.0.0", "Ready to start TLS").toString());
        }
    }

    // ---- AUTH (submission)

    private void auth(String arg) {
        if (mode != Mode.SUBMISSION) {
            bad(Reply.of(502, "5.5.1", "Error: authentication is not enabled on this port"));
            return;
        }
        if (helo == null || !esmtp) {
            bad(Reply.of(503, "5.5.1", "Error: send EHLO first"));
            return;
        }
        if (user != null) {
            bad(Reply.of(503, "5.5.1", "Error: already authenticated"));
            return;
        }
        if (sender != null) {
            bad(Reply.of(503, "5.5.1", "Error: AUTH not allowed during a mail transaction"));
            return;
        }
        String[] parts = arg.split(" ", -1);
        if (arg.isEmpty() || parts.length > 2) {
            bad(Reply.of(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]"));
            return;
        }
        String name = parts[0].toUpperCase(Locale.ROOT);
        String initial = parts.length == 2 ? parts[1] : null;
        awaitService(
                () -> mechanism(name),
                mechanism -> {
                    if (mechanism.exposesSecret() && !plaintextAllowed()) {
                        bad(Reply.of(538, "5.7.11", "Encryption required for requested authentication mechanism"));
                        return;
                    }
                    sasl = mechanism.start();
                    lineLengthBefore = connection.maxLineLength();
                    connection.setMaxLineLength(Math.max(lineLengthBefore, settings.maxSaslLineLength()));
                    state = State.SASL;
                    if (initial == null) {
                        // RFC 4954: without an initial response the server sends an empty challenge first.
                        connection.send("334 ");
                    } else {
                        saslContinue(initial);
                    }
                },
                () -> bad(
                        services.mechanisms().isEmpty() || services.recentlyGone(name)
                                ? Reply.of(454, "4.7.0", "Temporary authentication failure")
                                : Reply.of(504, "5.5.4", "Unrecognized authentication type")));
    }

    private SaslMechanism mechanism(String name) {
        for (SaslMechanism m : services.mechanisms()) {
            if (m.name().equalsIgnoreCase(name)) {
                return m;
            }
        }
        return null;
    }

    private void saslContinue(String line) {
        if (line.equals("*")) {
            endSasl();
            bad(Reply.of(501, "5.0.0", "Authentication cancelled"));
            return;
        }
        byte[] response;
        try {
            response = line.equals("=") ? new byte[0] : Base64.getDecoder().decode(line);
        } catch (IllegalArgumentException e) {
            endSasl();
            bad(Reply.of(501, "5.5.2", "Cannot decode response"));
            return;
        }
        SaslStep step;
        try {
            step = sasl.evaluate(response);
        } catch (SaslException e) {
            endSasl();
            failedLogin("malformed SASL response: " + e.getMessage(), null);
            return;
        } catch (RuntimeException | LinkageError e) {
            endSasl();
            LOG.warn("SASL mechanism failed", e);
            send(Reply.of(454, "4.7.0", "Temporary authentication failure"));
            return;
        }
        if (step.isDone()) {
            SaslExchange exchange = sasl;
            endSasl();
            authenticate(step.credentials(), exchange, deadline());
        } else {
            connection.send("334 " + Base64.getEncoder().encodeToString(step.challenge()));
        }
    }

    private void endSasl() {
        sasl = null;
        state = State.COMMANDS;
        connection.setMaxLineLength(lineLengthBefore);
    }

    /** @param exchange the SASL exchange that yielded the credentials */
    private void authenticate(Credentials credentials, SaslExchange exchange, long deadline) {
        if (credentials instanceof PasswordCredentials p
                && (p.password().isEmpty() || p.user().isEmpty())) {
            failedLogin("empty user name or password", credentials.user());
            return;
        }
        awaitService(
                services::login,
                login -> connection.await(
                        login.login(credentials, clientAddress(), mode.protocol), (result, failure) -> {
                            if (result != null && result.succeeded()) {
                                user = result.user();
                                connection.authenticated(user);
                                LOG.info(
                                        "{} login of {} from {}",
                                        mode.protocol,
                                        LogText.of(user),
                                        connection.remoteAddress());
                                send(Reply.of(235, "2.7.0", "Authentication successful"));
                            } else if (result != null && result.status() == AuthResult.Status.INVALID) {
                                refused(exchange, result);
                            } else if (services.login() != login && System.nanoTime() - deadline < 0) {
                                authenticate(credentials, exchange, deadline);
                            } else {
                                send(Reply.of(454, "4.7.0", "Temporary authentication failure"));
                            }
                        }),
                () -> send(Reply.of(454, "4.7.0", "Temporary authentication failure")));
    }

    /** RFC 7628 3.2.2: a mechanism may first send an error challenge, answered by one client line. */
    private void refused(SaslExchange exchange, AuthResult result) {
        byte[] challenge = null;
        try {
            challenge = exchange.failureChallenge(result);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("SASL mechanism failed to give its failure challenge", e);
        }
        if (challenge == null) {
            bad(Reply.of(535, "5.7.8", "Authentication credentials invalid"));
            return;
        }
        state = State.SASL_FAILURE;
        lineLengthBefore = connection.maxLineLength();
        connection.setMaxLineLength(Math.max(lineLengthBefore, settings.maxSaslLineLength()));
        connection.send("334 " + Base64.getEncoder().encodeToString(challenge));
    }

    private void endFailureChallenge() {
        endSasl();
        bad(Reply.of(535, "5.7.8", "Authentication credentials invalid"));
    }

    /** A failure SMTP decided itself: counted and answered by the login service like a wrong password. */
    private void failedLogin(String reason, String name) {
        awaitService(
                services::login,
                login -> connection.await(
                        login.reject(name, reason, clientAddress(), mode.protocol),
                        (result, failure) -> bad(Reply.of(535, "5.7.8", "Authentication credentials invalid"))),
                () -> bad(Reply.of(535, "5.7.8", "Authentication credentials invalid")));
    }

    // ---- helpers

    private boolean transactionReady() {
        if (sender == null) {
            bad(Reply.of(503, "5.5.1", "Error: need MAIL command"));
            return false;
        }
        if (recipients.isEmpty()) {
            bad(Reply.of(554, "5.5.1", "Error: no valid recipients"));
            return false;
        }
        return true;
    }

    private boolean plaintextAllowed() {
        return connection.isSecure() || settings.allowPlaintextAuth();
    }

    private InetAddress clientAddress() {
        InetSocketAddress remote = connection.remoteAddress();
        return remote == null || remote.getAddress() == null ? InetAddress.getLoopbackAddress() : remote.getAddress();
    }

    private long deadline() {
        return System.nanoTime()
                + Duration.ofMillis(settings.serviceWaitMillis()).toNanos();
    }

    /** Counts a command outside a transaction; closes the session past the limit. */
    private boolean counted() {
        if (sender == null && ++commandsWithoutMail > settings.maxCommandsWithoutMail()) {
            close(Reply.of(421, "4.7.0", settings.hostname() + " Error: too many commands without a message"));
            return false;
        }
        return true;
    }

    private void resetTransaction() {
        discardMessage();
        sender = null;
        mailParameters = null;
        recipients.clear();
    }

    private void discardMessage() {
        if (writer != null) {
            writer.close();
            writer = null;
        }
        data = null;
        bdat = null;
    }

    private void send(Reply reply) {
        for (String line : reply.lines()) {
            connection.send(line);
        }
    }

    /** An error reply that counts towards the session's limit. */
    private void bad(Reply reply) {
        send(reply);
        countBad();
    }

    private void countBad() {
        if (++badCommands >= settings.maxBadCommands() && state != State.CLOSED) {
            close(Reply.of(421, "4.7.0", settings.hostname() + " Error: too many errors"));
        }
    }

    private void close(Reply reply) {
        state = State.CLOSED;
        discardMessage();
        connection.close(reply.toString());
    }

    /**
     * Runs {@code use} with the service {@code lookup} finds; while it finds none (a bundle being
     * updated) it retries without holding a thread until the deadline, then runs {@code missing}.
     */
    private <T> void awaitService(Supplier<T> lookup, Consumer<T> use, Runnable missing) {
        awaitService(lookup, deadline(), use, missing);
    }

    private <T> void awaitService(Supplier<T> lookup, long deadline, Consumer<T> use, Runnable missing) {
        if (state == State.CLOSED) {
            return;
        }
        T service = lookup.get();
        if (service != null) {
            try {
                use.accept(service);
                return;
            } catch (RuntimeException | LinkageError e) {
                if (System.nanoTime() - deadline >= 0) {
                    LOG.warn("A service failed while handling an SMTP command", e);
                    missing.run();
                    return;
                }
                LOG.debug("Service failed (being replaced?), retrying", e);
            }
        } else if (System.nanoTime() - deadline >= 0) {
            missing.run();
            return;
        }
        connection.pause(RETRY, () -> awaitService(lookup, deadline, use, missing));
    }
}
