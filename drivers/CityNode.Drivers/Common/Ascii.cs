namespace CityNode.Drivers.Common
{
    /// <summary>
    /// ASCII helpers for text protocols (Atlas EZO), without System.Text (not in nanoFramework's
    /// CoreLibrary) and without allocating: commands are written into a caller's buffer, numbers are
    /// parsed straight from the received bytes into micro-units.
    /// </summary>
    public static class Ascii
    {
        /// <summary>Copies a command's characters into <paramref name="into"/>; returns the length.</summary>
        public static int Put(byte[] into, int at, string text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                into[at + i] = (byte)text[i];
            }

            return at + text.Length;
        }

        /// <summary>Writes micro-units as a decimal with the given number of decimals ("21.37"); returns the new end.</summary>
        public static int PutDecimal(byte[] into, int at, long micro, int decimals)
        {
            long scale = 1;
            for (int i = decimals; i < 6; i++)
            {
                scale *= 10;
            }

            long v = micro >= 0 ? (micro + (scale / 2)) / scale : -((-micro + (scale / 2)) / scale);
            if (v < 0)
            {
                into[at++] = (byte)'-';
                v = -v;
            }

            long unit = 1;
            for (int i = 0; i < decimals; i++)
            {
                unit *= 10;
            }

            long whole = v / unit;
            long frac = v % unit;
            at = PutInteger(into, at, whole);
            if (decimals > 0)
            {
                into[at++] = (byte)'.';
                for (long d = unit / 10; d >= 1; d /= 10)
                {
                    into[at++] = (byte)('0' + ((frac / d) % 10));
                }
            }

            return at;
        }

        private static int PutInteger(byte[] into, int at, long v)
        {
            long d = 1;
            while (d * 10 <= v)
            {
                d *= 10;
            }

            for (; d >= 1; d /= 10)
            {
                into[at++] = (byte)('0' + ((v / d) % 10));
            }

            return at;
        }

        /// <summary>
        /// Parses an optionally signed decimal ("7.012", "-1023.000", "38") from bytes [start, end)
        /// into micro-units, stopping at ',' or NUL. False on anything else, more than 6 decimals
        /// kept (extra ones are truncated), or more than 12 integer digits.
        /// </summary>
        public static bool TryParseMicro(byte[] data, int start, int end, out long micro)
        {
            micro = 0;
            int i = start;
            bool negative = false;
            if (i < end && (data[i] == '-' || data[i] == '+'))
            {
                negative = data[i] == '-';
                i++;
            }

            long whole = 0;
            int digits = 0;
            for (; i < end && data[i] >= '0' && data[i] <= '9'; i++)
            {
                if (++digits > 12)
                {
                    return false;
                }

                whole = (whole * 10) + (data[i] - '0');
            }

            long frac = 0;
            int decimals = 0;
            if (i < end && data[i] == '.')
            {
                i++;
                for (; i < end && data[i] >= '0' && data[i] <= '9'; i++)
                {
                    if (decimals < 6)
                    {
                        frac = (frac * 10) + (data[i] - '0');
                        decimals++;
                    }
                }
            }

            if (digits == 0 && decimals == 0)
            {
                return false;
            }

            if (i < end && data[i] != ',' && data[i] != 0)
            {
                return false;
            }

            for (int k = decimals; k < 6; k++)
            {
                frac *= 10;
            }

            micro = (whole * 1000000) + frac;
            if (negative)
            {
                micro = -micro;
            }

            return true;
        }
    }
}
