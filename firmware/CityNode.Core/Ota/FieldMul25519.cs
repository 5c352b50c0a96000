namespace CityNode.Ota
{
    /// <summary>
    /// One multiplication in GF(2^255 − 19) with 8 × 32-bit limbs (schoolbook product, then the
    /// high half folded back with 2^256 ≡ 38), in the nanoFramework subset. Not called by the node:
    /// it exists so the device-cost instrumenter can count what an Ed25519 verify's ~3,500 field
    /// multiplications would cost on the interpreter (docs/ota.md, signature choice). The result is
    /// reduced below 2^256, not fully canonical — enough to count the work, not a curve implementation.
    /// </summary>
    public sealed class FieldMul25519
    {
        private readonly ulong[] _t = new ulong[16];

        /// <summary>r = a · b mod 2^255 − 19 (limbs little-endian, each uint).</summary>
        public void Multiply(uint[] a, uint[] b, uint[] r)
        {
            ulong[] t = _t;
            for (int i = 0; i < 16; i++)
            {
                t[i] = 0;
            }

            for (int i = 0; i < 8; i++)
            {
                ulong carry = 0;
                ulong ai = a[i];
                for (int j = 0; j < 8; j++)
                {
                    ulong p = (ai * b[j]) + (t[i + j] & 0xFFFFFFFF) + carry;
                    t[i + j] = p & 0xFFFFFFFF;
                    carry = p >> 32;
                }

                t[i + 8] = carry;
            }

            // Fold: t_hi · 2^256 ≡ t_hi · 38.
            ulong c = 0;
            for (int i = 0; i < 8; i++)
            {
                ulong p = t[i] + (t[i + 8] * 38) + c;
                r[i] = (uint)p;
                c = p >> 32;
            }

            // The carry out (< 39) folds once more.
            c *= 38;
            for (int i = 0; i < 8 && c != 0; i++)
            {
                ulong p = (ulong)r[i] + c;
                r[i] = (uint)p;
                c = p >> 32;
            }
        }
    }
}
