package org.mailroom.filter.footer.internal;

/**
 * The footer one delivery gets.
 *
 * @param text the plain-text footer (lines separated by LF or CRLF)
 * @param html the HTML footer, inserted before {@code </body>}
 * @param logo the logo's octets, shown inline in the HTML footer, or null for none
 * @param logoType the logo's media type
 */
record Footer(String text, String html, byte[] logo, String logoType) {

    /** This footer with the trace code in place of {@code ${trace}}. */
    Footer withTrace(String code) {
        return new Footer(text.replace("${trace}", code), html.replace("${trace}", code), logo, logoType);
    }
}
