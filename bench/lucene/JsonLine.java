// JsonLine -- the few JSON Lines helpers the Lucene drivers share
// (LuceneRun for bench/relevance.sh, LuceneBench for bench/compare.sh):
// one-line objects with string or number values, no JSON library needed.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

final class JsonLine {
    private JsonLine() {}

    /* The string value of "key" in a one-line JSON object (escapes decoded), or null. */
    static String field(String line, String key) {
        String pat = "\"" + key + "\"";
        int i = line.indexOf(pat);
        while (i >= 0) {
            int j = i + pat.length();
            while (j < line.length() && line.charAt(j) == ' ') j++;
            if (j < line.length() && line.charAt(j) == ':') {
                j++;
                while (j < line.length() && line.charAt(j) == ' ') j++;
                if (j < line.length() && line.charAt(j) == '"') return unescape(line, j + 1);
                int e = j;
                while (e < line.length() && ",}".indexOf(line.charAt(e)) < 0) e++;
                return line.substring(j, e).trim();
            }
            i = line.indexOf(pat, i + 1);
        }
        return null;
    }

    static String unescape(String s, int i) {
        StringBuilder b = new StringBuilder();
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') break;
            if (c != '\\') { b.append(c); continue; }
            char n = s.charAt(++i);
            switch (n) {
                case 'n': b.append('\n'); break;
                case 't': b.append('\t'); break;
                case 'r': b.append('\r'); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'u': b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16)); i += 4; break;
                default: b.append(n);
            }
        }
        return b.toString();
    }

    static BufferedReader open(String path) throws IOException {
        InputStream in = new FileInputStream(path);
        if (path.endsWith(".gz")) in = new GZIPInputStream(in, 1 << 16);
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }
}
