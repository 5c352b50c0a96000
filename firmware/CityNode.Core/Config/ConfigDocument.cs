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
        private readonly ArrayList _lines = new ArrayList();

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
            return (int)_lines[i];
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

            _keys.Add(key);
            _values.Add(value);
            _lines.Add(0);
        }

        public void Remove(string key)
        {
            int i = Find(key);
            if (i >= 0)
            {
                _keys.RemoveAt(i);
                _values.RemoveAt(i);
                _lines.RemoveAt(i);
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
                doc.ParseLine(line, text.Substring(pos, end - pos));
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

        private void ParseLine(int line, string raw)
        {
            string s = raw.Trim();
            if (s.Length == 0 || s[0] == '#')
            {
                return;
            }

            for (int i = 0; i < s.Length; i++)
            {
                char ch = s[i];
                if (ch < ' ' && ch != '\t' && ch != '\r')
                {
                    throw new ConfigException(line, null, "control character (code " + ((int)ch).ToString() + ") in line");
                }
            }

            int eq = s.IndexOf('=');
            if (eq < 0)
            {
                throw new ConfigException(line, null, "expected 'key = value', found '" + Shorten(s) + "'");
            }

            string key = s.Substring(0, eq).Trim();
            string value = s.Substring(eq + 1).Trim();
            CheckKey(line, key);
            int existing = Find(key);
            if (existing >= 0)
            {
                throw new ConfigException(line, key, "set twice (first on line " + ((int)_lines[existing]).ToString() + ")");
            }

            _keys.Add(key);
            _values.Add(value);
            _lines.Add(line);
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
