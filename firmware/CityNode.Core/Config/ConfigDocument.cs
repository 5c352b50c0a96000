using System.Collections;

namespace CityNode.Config
{
    /// <summary>
    /// A parsed <c>key = value</c> file: the node config (<c>I:\citynode.conf</c>), a board profile,
    /// or a remote configuration document. One entry per line; <c>#</c> starts a comment line;
    /// keys are lower-case letters, digits, <c>_ . -</c>; values run to the end of the line with
    /// surrounding blanks trimmed. Duplicate keys are an error (which one would win is a trap).
    /// Parsing allocates; it runs at boot and when a new configuration arrives, never per sample.
    /// </summary>
    public sealed class ConfigDocument
    {
        /// <summary>Longest document accepted (characters): the node keeps it in RAM and in flash.</summary>
        public const int MaxLength = 8192;

        public const int MaxKeyLength = 64;

        private readonly ArrayList _keys = new ArrayList();
        private readonly ArrayList _values = new ArrayList();
        // Line numbers unboxed (an ArrayList would box each): a boot parses the config through here.
        private int[] _lines = new int[16];

        public int Count { get { return _keys.Count; } }

        public string Key(int i)
        {
            return (string)_keys[i];
        }

        public string Value(int i)
        {
            return (string)_values[i];
        }

        public int Line(int i)
        {
            if (i < 0 || i >= _keys.Count)
            {
                throw new System.ArgumentOutOfRangeException("i");
            }

            return _lines[i];
        }

        /// <summary>Index of a key, or -1.</summary>
        public int Find(string key)
        {
            for (int i = 0; i < _keys.Count; i++)
            {
                if ((string)_keys[i] == key)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>The value of a key, or null.</summary>
        public string Get(string key)
        {
            int i = Find(key);
            return i < 0 ? null : (string)_values[i];
        }

        /// <summary>Adds or replaces a key (used to build documents, not by the parser); a value the parser would read back differently is refused.</summary>
        public void Set(string key, string value)
        {
            CheckKey(0, key);
            string problem = ValueProblem(value);
            if (problem != null)
            {
                throw new ConfigException(0, key, problem);
            }

            int i = Find(key);
            if (i >= 0)
            {
                _values[i] = value;
                return;
            }

            Add(key, value, 0);
        }

        public void Remove(string key)
        {
            int i = Find(key);
            if (i >= 0)
            {
                _keys.RemoveAt(i);
                _values.RemoveAt(i);
                System.Array.Copy(_lines, i + 1, _lines, i, _keys.Count - i);
            }
        }

        /// <summary>
        /// Why a value cannot be written as <c>key = value</c> and read back the same, or null: the
        /// parser ends a value at the line's end and trims blanks around it.
        /// </summary>
        public static string ValueProblem(string value)
        {
            if (value == null)
            {
                return "no value";
            }

            for (int i = 0; i < value.Length; i++)
            {
                if (value[i] < ' ' && value[i] != '\t')
                {
                    return "control character (code " + ((int)value[i]).ToString() + ") in the value; a value is one line";
                }
            }

            if (value.Trim() != value) // the parser's own Trim
            {
                return "starts or ends with a blank, which the config parser trims (the node would read it without)";
            }

            return null;
        }

        /// <summary>Parses a document; throws <see cref="ConfigException"/> naming the line.</summary>
        public static ConfigDocument Parse(string text)
        {
            if (text == null)
            {
                throw new ConfigException(0, null, "empty document");
            }

            if (text.Length > MaxLength)
            {
                throw new ConfigException(0, null, "document longer than " + MaxLength.ToString() + " characters");
            }

            ConfigDocument doc = new ConfigDocument();
            int line = 0;
            int pos = 0;
            while (pos <= text.Length)
            {
                int end = text.IndexOf('\n', pos);
                if (end < 0)
                {
                    end = text.Length;
                }

                line++;
                int start = SkipBlanks(text, pos, end);
                int stop = TrimBlanks(text, start, end);
                if (start < stop && (text[start] > '~' || text[stop - 1] > '~'))
                {
                    // Non-ASCII at an end may be whitespace string.Trim removes: the general path.
                    string s = text.Substring(pos, end - pos).Trim();
                    doc.ParseLine(line, s, 0, s.Length);
                }
                else
                {
                    doc.ParseLine(line, text, start, stop);
                }

                pos = end + 1;
            }

            return doc;
        }

        /// <summary>Writes the document back as text, one <c>key = value</c> per line.</summary>
        public string ToText()
        {
            string text = string.Empty;
            for (int i = 0; i < _keys.Count; i++)
            {
                text += (string)_keys[i] + " = " + (string)_values[i] + "\n";
            }

            return text;
        }

        /// <summary>
        /// One line, <paramref name="text"/>[start, stop) with the blanks around it removed: two
        /// strings (key and value) are all it allocates, since a boot parses the config through here.
        /// </summary>
        private void ParseLine(int line, string text, int start, int stop)
        {
            if (start == stop || text[start] == '#')
            {
                return;
            }

            int eq = -1;
            for (int i = start; i < stop; i++)
            {
                char ch = text[i];
                if (ch < ' ' && ch != '\t' && ch != '\r')
                {
                    throw new ConfigException(line, null, "control character (code " + ((int)ch).ToString() + ") in line");
                }

                if (ch == '=' && eq < 0)
                {
                    eq = i;
                }
            }

            if (eq < 0)
            {
                throw new ConfigException(line, null, "expected 'key = value', found '" + Shorten(text.Substring(start, stop - start)) + "'");
            }

            string key = Slice(text, start, eq);
            string value = Slice(text, eq + 1, stop);
            CheckKey(line, key);
            int existing = Find(key);
            if (existing >= 0)
            {
                throw new ConfigException(line, key, "set twice (first on line " + _lines[existing].ToString() + ")");
            }

            Add(key, value, line);
        }

        private void Add(string key, string value, int line)
        {
            if (_keys.Count == _lines.Length)
            {
                int[] more = new int[_lines.Length * 2];
                System.Array.Copy(_lines, more, _lines.Length);
                _lines = more;
            }

            _lines[_keys.Count] = line;
            _keys.Add(key);
            _values.Add(value);
        }

        /// <summary><paramref name="text"/>[start, stop) without blanks around it, as string.Trim would leave it.</summary>
        private static string Slice(string text, int start, int stop)
        {
            start = SkipBlanks(text, start, stop);
            stop = TrimBlanks(text, start, stop);
            string s = text.Substring(start, stop - start);
            return s.Length > 0 && (s[0] > '~' || s[s.Length - 1] > '~') ? s.Trim() : s;
        }

        // ASCII whitespace (what char.IsWhiteSpace holds below 128: tab, LF, VT, FF, CR, space).
        private static bool IsBlank(char ch)
        {
            return ch == ' ' || (ch >= '\t' && ch <= '\r');
        }

        private static int SkipBlanks(string text, int start, int stop)
        {
            while (start < stop && IsBlank(text[start]))
            {
                start++;
            }

            return start;
        }

        private static int TrimBlanks(string text, int start, int stop)
        {
            while (stop > start && IsBlank(text[stop - 1]))
            {
                stop--;
            }

            return stop;
        }

        private static void CheckKey(int line, string key)
        {
            if (key.Length == 0)
            {
                throw new ConfigException(line, null, "missing key before '='");
            }

            if (key.Length > MaxKeyLength)
            {
                throw new ConfigException(line, Shorten(key), "key longer than " + MaxKeyLength.ToString() + " characters");
            }

            for (int i = 0; i < key.Length; i++)
            {
                char ch = key[i];
                bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
                if (!ok)
                {
                    throw new ConfigException(line, Shorten(key), "keys use lower-case letters, digits, '_', '.' and '-' only");
                }
            }
        }

        private static string Shorten(string s)
        {
            return s.Length <= 40 ? s : s.Substring(0, 40) + "...";
        }
    }
}
