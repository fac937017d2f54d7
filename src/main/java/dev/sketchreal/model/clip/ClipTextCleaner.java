package dev.sketchreal.model.clip;

import java.nio.charset.Charset;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text clean-up of the transformers (slow) CLIPTokenizer: {@code ftfy.fix_text}, then
 * whitespace collapse and strip, then lower-case — with every output character traced back to the
 * prompt characters it came from.
 *
 * <p>The ftfy part reproduces the fixers of ftfy 6.1 that change real prompts: HTML entity
 * unescaping (only while no {@code <} has been seen, repeated to a fixed point like ftfy), C1
 * control characters read as Windows-1252, Latin ligatures, full-width forms, curly quotes, line
 * breaks, lone surrogates, ANSI terminal escapes, control characters, NFC. Not reproduced: ftfy's
 * mojibake repair ({@code fix_encoding}), which only changes text that was decoded with the wrong
 * character set; and named HTML entities outside the HTML 4 set plus a few HTML5 ones.
 */
final class ClipTextCleaner {
  private ClipTextCleaner() {}

  private static final Pattern HTML_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");
  private static final Pattern DECIMAL_REF = Pattern.compile("&#([0-9]+);");
  private static final Pattern HEX_REF = Pattern.compile("&#[xX]([0-9a-fA-F]+);");
  private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001b\\[((?:\\d|;)*)([a-zA-Z])");
  private static final Pattern WHITESPACE =
      Pattern.compile("[\\s\\x1c-\\x1f]+", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Map<String, String> ENTITIES = buildEntities();
  private static final Charset CP1252 = Charset.forName("windows-1252");

  /** Full clean-up: ftfy-like fixes, whitespace collapse + strip, lower-case. */
  static TrackedText clean(TrackedText raw) {
    TrackedText t = fixText(raw);
    t = whitespaceClean(t);
    return lowerCase(t);
  }

  /** ftfy.fix_text: per line; once a line contains '<', entities stay escaped from there on. */
  static TrackedText fixText(TrackedText raw) {
    TrackedText out = new TrackedText();
    boolean unescape = true;
    int pos = 0;
    String s = raw.text();
    while (pos < s.length()) {
      int brk = s.indexOf('\n', pos) + 1;
      if (brk == 0) {
        brk = s.length();
      }
      TrackedText segment = raw.substring(pos, brk);
      if (unescape && segment.text().indexOf('<') >= 0) {
        unescape = false;
      }
      TrackedText fixed = fixSegment(segment, unescape);
      out.appendFrom(fixed, 0, fixed.length());
      pos = brk;
    }
    return out;
  }

  private static TrackedText fixSegment(TrackedText t, boolean unescape) {
    for (int round = 0; round < 16; round++) {
      String before = t.text();
      if (unescape) {
        t = replaceAll(t, HTML_ENTITY, m -> unescapeEntity(m.group()));
      }
      t = mapCodePoints(t, ClipTextCleaner::fixC1Control);
      t = mapCodePoints(t, ClipTextCleaner::ligature);
      t = mapCodePoints(t, ClipTextCleaner::width);
      t = mapCodePoints(t, ClipTextCleaner::uncurl);
      t = fixLineBreaks(t);
      t = fixSurrogates(t);
      t = replaceAll(t, ANSI_ESCAPE, m -> "");
      t = mapCodePoints(t, cp -> isControl(cp) ? "" : null);
      t = nfc(t);
      if (t.text().equals(before)) {
        break;
      }
    }
    return t;
  }

  /** transformers' whitespace_clean: every whitespace run becomes one space, then strip. */
  static TrackedText whitespaceClean(TrackedText t) {
    TrackedText collapsed = replaceAll(t, WHITESPACE, m -> " ");
    int i = 0;
    int j = collapsed.length();
    while (i < j && collapsed.charAt(i) == ' ') {
      i++;
    }
    while (j > i && collapsed.charAt(j - 1) == ' ') {
      j--;
    }
    return collapsed.substring(i, j);
  }

  /** Python's str.lower(): full case mapping plus the final-sigma rule. */
  static TrackedText lowerCase(TrackedText t) {
    String s = t.text();
    TrackedText out = new TrackedText();
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int n = Character.charCount(cp);
      String lower;
      if (cp == 0x3A3) {
        lower = isFinalSigma(s, i) ? "\u03c2" : "\u03c3";
      } else if (cp < 0x80) {
        lower = String.valueOf((char) (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
      } else {
        lower = new String(Character.toChars(cp)).toLowerCase(Locale.ROOT);
      }
      out.append(lower, t.spanStart(i, i + n), t.spanEnd(i, i + n));
      i += n;
    }
    return out;
  }

  // ---- generic tracked rewrites ----

  /** Replaces each match of {@code p}; replacement units get the span of the whole match. */
  static TrackedText replaceAll(TrackedText t, Pattern p, Function<MatchResult, String> repl) {
    Matcher m = p.matcher(t.text());
    if (!m.find()) {
      return t;
    }
    TrackedText out = new TrackedText();
    int last = 0;
    do {
      out.appendFrom(t, last, m.start());
      String r = repl.apply(m.toMatchResult());
      if (r.equals(m.group())) {
        out.appendFrom(t, m.start(), m.end());
      } else if (!r.isEmpty()) {
        out.append(r, t.spanStart(m.start(), m.end()), t.spanEnd(m.start(), m.end()));
      }
      last = m.end();
    } while (m.find());
    out.appendFrom(t, last, t.length());
    return out;
  }

  interface CodePointMap {
    /** Replacement of {@code cp}, or null to keep it. */
    String map(int cp);
  }

  static TrackedText mapCodePoints(TrackedText t, CodePointMap f) {
    String s = t.text();
    TrackedText out = null;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int n = Character.charCount(cp);
      String r = f.map(cp);
      if (r != null && out == null) {
        out = new TrackedText();
        out.appendFrom(t, 0, i);
      }
      if (out != null) {
        if (r == null) {
          out.appendFrom(t, i, i + n);
        } else {
          out.append(r, t.spanStart(i, i + n), t.spanEnd(i, i + n));
        }
      }
      i += n;
    }
    return out == null ? t : out;
  }

  // ---- ftfy fixers ----

  private static String fixC1Control(int cp) {
    if (cp < 0x80 || cp > 0x9f) {
      return null;
    }
    String s = new String(new byte[] {(byte) cp}, CP1252);
    // bytes undefined in Windows-1252 keep their Latin-1 meaning ("sloppy" codec)
    return s.equals("\ufffd") ? null : s;
  }

  private static String ligature(int cp) {
    return switch (cp) {
      case 0x132 -> "IJ";
      case 0x133 -> "ij";
      case 0xFB00 -> "ff";
      case 0xFB01 -> "fi";
      case 0xFB02 -> "fl";
      case 0xFB03 -> "ffi";
      case 0xFB04 -> "ffl";
      case 0xFB05 -> "\u017ft";
      case 0xFB06 -> "st";
      default -> null;
    };
  }

  private static String width(int cp) {
    if (cp == 0x3000) {
      return " ";
    }
    if (cp < 0xFF01 || cp >= 0xFFF0) {
      return null;
    }
    String c = String.valueOf((char) cp);
    String alt = Normalizer.normalize(c, Normalizer.Form.NFKC);
    return alt.equals(c) ? null : alt;
  }

  private static String uncurl(int cp) {
    if (cp == 0x2BC || (cp >= 0x2018 && cp <= 0x201B)) {
      return "'";
    }
    if (cp >= 0x201C && cp <= 0x201F) {
      return "\"";
    }
    return null;
  }

  private static TrackedText fixLineBreaks(TrackedText t) {
    TrackedText crlf = replaceAll(t, Pattern.compile("\r\n"), m -> "\n");
    return mapCodePoints(
        crlf, cp -> cp == '\r' || cp == 0x2028 || cp == 0x2029 || cp == 0x85 ? "\n" : null);
  }

  private static TrackedText fixSurrogates(TrackedText t) {
    // Java strings keep surrogate pairs together; a lone surrogate becomes U+FFFD as in ftfy.
    return mapCodePoints(t, cp -> cp >= 0xD800 && cp <= 0xDFFF ? "\ufffd" : null);
  }

  private static boolean isControl(int cp) {
    return (cp <= 0x08)
        || cp == 0x0B
        || (cp >= 0x0E && cp <= 0x1F)
        || cp == 0x7F
        || (cp >= 0x206A && cp <= 0x206F)
        || cp == 0xFEFF
        || (cp >= 0xFFF9 && cp <= 0xFFFC)
        || (cp >= 0x1D173 && cp <= 0x1D17A)
        || (cp >= 0xE0000 && cp <= 0xE007F);
  }

  /** NFC per cluster (a starter and its following combining marks), keeping spans. */
  private static TrackedText nfc(TrackedText t) {
    String s = t.text();
    if (Normalizer.isNormalized(s, Normalizer.Form.NFC)) {
      return t;
    }
    TrackedText out = new TrackedText();
    int i = 0;
    while (i < s.length()) {
      int j = i + Character.charCount(s.codePointAt(i));
      while (j < s.length() && continuesCluster(s.codePointAt(j))) {
        j += Character.charCount(s.codePointAt(j));
      }
      String cluster = s.substring(i, j);
      String norm = Normalizer.normalize(cluster, Normalizer.Form.NFC);
      if (norm.equals(cluster)) {
        out.appendFrom(t, i, j);
      } else {
        out.append(norm, t.spanStart(i, j), t.spanEnd(i, j));
      }
      i = j;
    }
    return out;
  }

  private static boolean continuesCluster(int cp) {
    int type = Character.getType(cp);
    return type == Character.NON_SPACING_MARK
        || type == Character.ENCLOSING_MARK
        || type == Character.COMBINING_SPACING_MARK
        || (cp >= 0x1160 && cp <= 0x11FF); // Hangul medial vowels and final consonants
  }

  // ---- HTML entities (ftfy.fixes.unescape_html) ----

  static String unescapeEntity(String entity) {
    String named = ENTITIES.get(entity);
    if (named != null) {
      return named;
    }
    if (!entity.startsWith("&#")) {
      return entity;
    }
    Matcher dec = DECIMAL_REF.matcher(entity);
    Matcher hex = HEX_REF.matcher(entity);
    long num;
    if (dec.matches()) {
      num = parseCapped(dec.group(1), 10);
    } else if (hex.matches()) {
      num = parseCapped(hex.group(1), 16);
    } else {
      return entity; // html.unescape would leave a ';' behind: ftfy keeps the text
    }
    return charRef(num);
  }

  private static long parseCapped(String digits, int radix) {
    long v = 0;
    for (int i = 0; i < digits.length(); i++) {
      v = v * radix + Character.digit(digits.charAt(i), radix);
      if (v > 0x10FFFF) {
        return 0x110000;
      }
    }
    return v;
  }

  /** Python's html.unescape for a numeric character reference. */
  private static String charRef(long num) {
    if (num == 0) {
      return "\ufffd";
    }
    if (num == 0x0D) {
      return "\r";
    }
    if (num >= 0x80 && num <= 0x9F) {
      String s = new String(new byte[] {(byte) num}, CP1252);
      return s.equals("\ufffd") ? String.valueOf((char) num) : s;
    }
    if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
      return "\ufffd";
    }
    int cp = (int) num;
    boolean invalid =
        (cp >= 0x1 && cp <= 0x8)
            || (cp >= 0xE && cp <= 0x1F)
            || (cp >= 0x7F && cp <= 0x9F)
            || (cp >= 0xFDD0 && cp <= 0xFDEF)
            || cp == 0xB
            || (cp & 0xFFFE) == 0xFFFE;
    return invalid ? "" : new String(Character.toChars(cp));
  }

  private static Map<String, String> buildEntities() {
    Map<String, String> lower = new HashMap<>();
    // HTML 4 Latin-1 entities: U+00A0 .. U+00FF in order.
    String[] latin1 = {
      "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf",
      "laquo", "not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro",
      "para", "middot", "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest",
      "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute",
      "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute",
      "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute",
      "THORN", "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil",
      "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde",
      "ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave", "uacute",
      "ucirc", "uuml", "yacute", "thorn", "yuml"
    };
    for (int i = 0; i < latin1.length; i++) {
      lower.put(latin1[i], String.valueOf((char) (0xA0 + i)));
    }
    Object[] more = {
      "quot",
      0x22,
      "amp",
      0x26,
      "apos",
      0x27,
      "lt",
      0x3C,
      "gt",
      0x3E,
      "OElig",
      0x152,
      "oelig",
      0x153,
      "Scaron",
      0x160,
      "scaron",
      0x161,
      "Yuml",
      0x178,
      "fnof",
      0x192,
      "circ",
      0x2C6,
      "tilde",
      0x2DC,
      "ensp",
      0x2002,
      "emsp",
      0x2003,
      "thinsp",
      0x2009,
      "zwnj",
      0x200C,
      "zwj",
      0x200D,
      "lrm",
      0x200E,
      "rlm",
      0x200F,
      "ndash",
      0x2013,
      "mdash",
      0x2014,
      "lsquo",
      0x2018,
      "rsquo",
      0x2019,
      "sbquo",
      0x201A,
      "ldquo",
      0x201C,
      "rdquo",
      0x201D,
      "bdquo",
      0x201E,
      "dagger",
      0x2020,
      "Dagger",
      0x2021,
      "bull",
      0x2022,
      "hellip",
      0x2026,
      "permil",
      0x2030,
      "prime",
      0x2032,
      "Prime",
      0x2033,
      "lsaquo",
      0x2039,
      "rsaquo",
      0x203A,
      "oline",
      0x203E,
      "frasl",
      0x2044,
      "euro",
      0x20AC,
      "trade",
      0x2122,
      "larr",
      0x2190,
      "uarr",
      0x2191,
      "rarr",
      0x2192,
      "darr",
      0x2193,
      "harr",
      0x2194,
      "minus",
      0x2212,
      "infin",
      0x221E,
      "ne",
      0x2260,
      "le",
      0x2264,
      "ge",
      0x2265,
      "asymp",
      0x2248,
      "hearts",
      0x2665,
      "spades",
      0x2660,
      "clubs",
      0x2663,
      "diams",
      0x2666,
      "loz",
      0x25CA,
      "star",
      0x2606,
      "starf",
      0x2605,
      "check",
      0x2713,
      "cross",
      0x2717,
      "alpha",
      0x3B1,
      "beta",
      0x3B2,
      "gamma",
      0x3B3,
      "delta",
      0x3B4,
      "epsilon",
      0x3B5,
      "lambda",
      0x3BB,
      "mu",
      0x3BC,
      "pi",
      0x3C0,
      "sigma",
      0x3C3,
      "omega",
      0x3C9,
      "Alpha",
      0x391,
      "Beta",
      0x392,
      "Gamma",
      0x393,
      "Delta",
      0x394,
      "Sigma",
      0x3A3,
      "Omega",
      0x3A9,
      "Pi",
      0x3A0,
      "Lambda",
      0x39B,
      "theta",
      0x3B8,
      "Theta",
      0x398,
      // HTML5 upper-case aliases
      "AMP",
      0x26,
      "LT",
      0x3C,
      "GT",
      0x3E,
      "QUOT",
      0x22,
      "COPY",
      0xA9,
      "REG",
      0xAE,
      "TRADE",
      0x2122
    };
    for (int i = 0; i < more.length; i += 2) {
      lower.put((String) more[i], new String(Character.toChars((Integer) more[i + 1])));
    }
    Map<String, String> entities = new HashMap<>();
    for (Map.Entry<String, String> e : lower.entrySet()) {
      entities.put("&" + e.getKey() + ";", e.getValue());
    }
    // ftfy also decodes all-lower-case entity names written in upper case ("&EACUTE;" -> "É")
    // when the upper-case name is not itself an entity.
    for (Map.Entry<String, String> e : lower.entrySet()) {
      String name = e.getKey();
      String upperName = name.toUpperCase(Locale.ROOT);
      if (name.equals(name.toLowerCase(Locale.ROOT)) && !lower.containsKey(upperName)) {
        entities.put("&" + upperName + ";", e.getValue().toUpperCase(Locale.ROOT));
      }
    }
    return Map.copyOf(entities);
  }

  // ---- final sigma (CPython handle_capital_sigma) ----

  private static boolean isFinalSigma(String s, int i) {
    int j = i;
    int c = -1;
    while (j > 0) {
      c = s.codePointBefore(j);
      j -= Character.charCount(c);
      if (!isCaseIgnorable(c)) {
        break;
      }
      c = -1;
    }
    if (c < 0 || !isCased(c)) {
      return false;
    }
    int k = i + 1;
    while (k < s.length()) {
      int d = s.codePointAt(k);
      if (!isCaseIgnorable(d)) {
        return !isCased(d);
      }
      k += Character.charCount(d);
    }
    return true;
  }

  private static boolean isCased(int cp) {
    return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
  }

  private static boolean isCaseIgnorable(int cp) {
    int type = Character.getType(cp);
    return type == Character.NON_SPACING_MARK
        || type == Character.ENCLOSING_MARK
        || type == Character.FORMAT
        || type == Character.MODIFIER_LETTER
        || type == Character.MODIFIER_SYMBOL
        || cp == '\''
        || cp == '.'
        || cp == ':'
        || cp == 0xB7
        || cp == 0x387
        || cp == 0x5F4
        || cp == 0x2018
        || cp == 0x2019
        || cp == 0x2024
        || cp == 0x2027
        || cp == 0xFE13
        || cp == 0xFE52
        || cp == 0xFE55
        || cp == 0xFF07
        || cp == 0xFF0E
        || cp == 0xFF1A;
  }
}
