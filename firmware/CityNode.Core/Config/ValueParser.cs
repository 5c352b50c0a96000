namespace CityNode.Config
{
    /// <summary>
    /// Parses configuration values with integer arithmetic only: integers, decimals into micro-units,
    /// durations (<c>60</c>, <c>60s</c>, <c>15m</c>, <c>2h</c>, <c>1d</c>). Returns false on bad
    /// input; the caller turns that into a <see cref="ConfigException"/> naming the key.
    /// </summary>
    public static class ValueParser
    {
        /// <summary>A signed integer within [min, max].</summary>
        public static bool TryInteger(string s, long min, long max, out long value)
        {
            value = 0;
            if (s == null || s.Length == 0 || s.Length > 20)
            {
                return false;
            }

            int i = 0;
            bool negative = false;
            if (s[0] == '-' || s[0] == '+')
            {
                negative = s[0] == '-';
                i = 1;
                if (s.Length == 1)
                {
                    return false;
                }
            }

            bool hex = s.Length > i + 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X');
            if (hex)
            {
                i += 2;
            }

            long v = 0;
            int digits = 0;
            for (; i < s.Length; i++)
            {
                int d = Digit(s[i], hex ? 16 : 10);
                if (d < 0 || ++digits > (hex ? 15 : 18))
                {
                    return false;
                }

                v = (v * (hex ? 16 : 10)) + d;
            }

            value = negative ? -v : v;
            return value >= min && value <= max;
        }

        /// <summary>A decimal number (at most 6 decimals) as micro-units: "7.00" → 7000000.</summary>
        public static bool TryMicro(string s, out long micro)
        {
            micro = 0;
            if (s == null || s.Length == 0 || s.Length > 24)
            {
                return false;
            }

            int i = 0;
            bool negative = false;
            if (s[0] == '-' || s[0] == '+')
            {
                negative = s[0] == '-';
                i = 1;
            }

            long whole = 0;
            int digits = 0;
            for (; i < s.Length && s[i] != '.'; i++)
            {
                int d = Digit(s[i], 10);
                if (d < 0 || ++digits > 12)
                {
                    return false;
                }

                whole = (whole * 10) + d;
            }

            long fraction = 0;
            int decimals = 0;
            if (i < s.Length)
            {
                i++; // '.'
                for (; i < s.Length; i++)
                {
                    int d = Digit(s[i], 10);
                    if (d < 0 || ++decimals > 6)
                    {
                        return false;
                    }

                    fraction = (fraction * 10) + d;
                }
            }

            if (digits == 0 && decimals == 0)
            {
                return false;
            }

            for (int k = decimals; k < 6; k++)
            {
                fraction *= 10;
            }

            micro = (whole * 1000000) + fraction;
            if (negative)
            {
                micro = -micro;
            }

            return true;
        }

        /// <summary>A duration in seconds: a number with an optional unit s, m, h or d.</summary>
        public static bool TryDuration(string s, out long seconds)
        {
            seconds = 0;
            if (s == null || s.Length == 0)
            {
                return false;
            }

            long unit = 1;
            string number = s;
            char last = s[s.Length - 1];
            if (last == 's' || last == 'm' || last == 'h' || last == 'd')
            {
                unit = last == 's' ? 1 : (last == 'm' ? 60 : (last == 'h' ? 3600 : 86400));
                number = s.Substring(0, s.Length - 1).Trim();
            }

            long n;
            if (!TryInteger(number, 0, 100L * 365 * 86400, out n))
            {
                return false;
            }

            seconds = n * unit;
            return true;
        }

        /// <summary>Formats seconds the way a technician writes them (90 → "90s", 900 → "15m").</summary>
        public static string FormatDuration(long seconds)
        {
            if (seconds > 0 && seconds % 86400 == 0)
            {
                return (seconds / 86400).ToString() + "d";
            }

            if (seconds > 0 && seconds % 3600 == 0)
            {
                return (seconds / 3600).ToString() + "h";
            }

            if (seconds > 0 && seconds % 60 == 0)
            {
                return (seconds / 60).ToString() + "m";
            }

            return seconds.ToString() + "s";
        }

        /// <summary>Formats micro-units as a decimal without trailing zeros (7000000 → "7", 6860000 → "6.86").</summary>
        public static string FormatMicro(long micro)
        {
            bool negative = micro < 0;
            ulong v = (ulong)(negative ? -micro : micro);
            string s = (v / 1000000).ToString();
            ulong frac = v % 1000000;
            if (frac != 0)
            {
                string f = frac.ToString();
                while (f.Length < 6)
                {
                    f = "0" + f;
                }

                int end = f.Length;
                while (end > 0 && f[end - 1] == '0')
                {
                    end--;
                }

                s += "." + f.Substring(0, end);
            }

            return negative ? "-" + s : s;
        }

        private static int Digit(char c, int radix)
        {
            int d;
            if (c >= '0' && c <= '9')
            {
                d = c - '0';
            }
            else if (c >= 'a' && c <= 'f')
            {
                d = c - 'a' + 10;
            }
            else if (c >= 'A' && c <= 'F')
            {
                d = c - 'A' + 10;
            }
            else
            {
                return -1;
            }

            return d < radix ? d : -1;
        }
    }
}
