namespace CityNode.Ota
{
    /// <summary>
    /// SHA-256 (FIPS 180-4 §6.2) in managed code for the nanoFramework subset: no allocation after
    /// construction, so hashing a slot file from flash costs IL only. nanoFramework exposes no SHA-256
    /// class: nanoFramework.System.Security.Cryptography has only a one-shot native HMACSHA256.HashCore
    /// (mbedTLS; nf-interpreter src/nanoFramework.System.Security.Cryptography), which needs the
    /// whole message in one array — fine for a manifest, impossible for a 100 KB file on a 100 KB
    /// heap. docs/ota.md gives the measured IL per KB.
    /// </summary>
    public sealed class Sha256 : IHash256
    {
        private static readonly uint[] K =
        {
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
        };

        private readonly uint[] _h = new uint[8];
        private readonly uint[] _w = new uint[64];
        private readonly byte[] _block = new byte[64];
        private int _filled;
        private long _length;

        public Sha256()
        {
            Reset();
        }

        public void Reset()
        {
            // FIPS 180-4 §5.3.3.
            _h[0] = 0x6a09e667;
            _h[1] = 0xbb67ae85;
            _h[2] = 0x3c6ef372;
            _h[3] = 0xa54ff53a;
            _h[4] = 0x510e527f;
            _h[5] = 0x9b05688c;
            _h[6] = 0x1f83d9ab;
            _h[7] = 0x5be0cd19;
            _filled = 0;
            _length = 0;
        }

        public void Update(byte[] data, int offset, int count)
        {
            _length += count;
            if (_filled > 0)
            {
                int take = 64 - _filled < count ? 64 - _filled : count;
                System.Array.Copy(data, offset, _block, _filled, take);
                _filled += take;
                offset += take;
                count -= take;
                if (_filled < 64)
                {
                    return;
                }

                Compress(_block, 0);
                _filled = 0;
            }

            while (count >= 64)
            {
                Compress(data, offset);
                offset += 64;
                count -= 64;
            }

            if (count > 0)
            {
                System.Array.Copy(data, offset, _block, 0, count);
                _filled = count;
            }
        }

        public void Final(byte[] into, int offset)
        {
            // §5.1.1: a 1 bit, zeros to 56 mod 64, the message length in bits big-endian.
            long bits = _length * 8;
            _block[_filled++] = 0x80;
            if (_filled > 56)
            {
                System.Array.Clear(_block, _filled, 64 - _filled);
                Compress(_block, 0);
                _filled = 0;
            }

            System.Array.Clear(_block, _filled, 56 - _filled);
            for (int i = 0; i < 8; i++)
            {
                _block[63 - i] = (byte)(bits >> (8 * i));
            }

            Compress(_block, 0);
            for (int i = 0; i < 8; i++)
            {
                uint v = _h[i];
                into[offset + (4 * i)] = (byte)(v >> 24);
                into[offset + (4 * i) + 1] = (byte)(v >> 16);
                into[offset + (4 * i) + 2] = (byte)(v >> 8);
                into[offset + (4 * i) + 3] = (byte)v;
            }

            _filled = 0;
        }

        /// <summary>The digest of one array (allocates the result: for manifests and tests, not per chunk).</summary>
        public static byte[] Hash(byte[] data, int offset, int count)
        {
            var sha = new Sha256();
            sha.Update(data, offset, count);
            byte[] digest = new byte[32];
            sha.Final(digest, 0);
            return digest;
        }

        // §6.2.2, with the message schedule in one 64-word array.
        private void Compress(byte[] m, int at)
        {
            uint[] w = _w;
            for (int t = 0; t < 16; t++)
            {
                int i = at + (4 * t);
                w[t] = ((uint)m[i] << 24) | ((uint)m[i + 1] << 16) | ((uint)m[i + 2] << 8) | m[i + 3];
            }

            for (int t = 16; t < 64; t++)
            {
                uint x = w[t - 15];
                uint y = w[t - 2];
                uint s0 = ((x >> 7) | (x << 25)) ^ ((x >> 18) | (x << 14)) ^ (x >> 3);
                uint s1 = ((y >> 17) | (y << 15)) ^ ((y >> 19) | (y << 13)) ^ (y >> 10);
                w[t] = w[t - 16] + s0 + w[t - 7] + s1;
            }

            uint a = _h[0], b = _h[1], c = _h[2], d = _h[3], e = _h[4], f = _h[5], g = _h[6], h = _h[7];
            uint[] k = K;
            for (int t = 0; t < 64; t++)
            {
                uint t1 = h + (((e >> 6) | (e << 26)) ^ ((e >> 11) | (e << 21)) ^ ((e >> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + k[t] + w[t];
                uint t2 = (((a >> 2) | (a << 30)) ^ ((a >> 13) | (a << 19)) ^ ((a >> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c));
                h = g;
                g = f;
                f = e;
                e = d + t1;
                d = c;
                c = b;
                b = a;
                a = t1 + t2;
            }

            _h[0] += a;
            _h[1] += b;
            _h[2] += c;
            _h[3] += d;
            _h[4] += e;
            _h[5] += f;
            _h[6] += g;
            _h[7] += h;
        }
    }

    /// <summary>
    /// HMAC-SHA256 (RFC 2104, FIPS 198-1) over a streaming <see cref="Sha256"/>, for keys of at most 64
    /// bytes (the provisioned OTA key is 32). The managed twin of nanoFramework's native
    /// HMACSHA256.HashData(key, message), which a device build may put behind <see cref="IHash256"/>.
    /// </summary>
    public sealed class HmacSha256 : IHash256
    {
        private readonly Sha256 _sha = new Sha256();
        private readonly byte[] _pad = new byte[64];
        private readonly byte[] _inner = new byte[32];
        private readonly byte[] _key = new byte[64];

        public HmacSha256(byte[] key)
        {
            if (key == null || key.Length == 0 || key.Length > 64)
            {
                throw new System.ArgumentException("an HMAC key of 1 to 64 bytes");
            }

            System.Array.Copy(key, _key, key.Length);
            Reset();
        }

        public void Reset()
        {
            Pad(0x36);
            _sha.Reset();
            _sha.Update(_pad, 0, 64);
        }

        public void Update(byte[] data, int offset, int count)
        {
            _sha.Update(data, offset, count);
        }

        public void Final(byte[] into, int offset)
        {
            _sha.Final(_inner, 0);
            Pad(0x5c);
            _sha.Reset();
            _sha.Update(_pad, 0, 64);
            _sha.Update(_inner, 0, 32);
            _sha.Final(into, offset);
        }

        private void Pad(byte with)
        {
            for (int i = 0; i < 64; i++)
            {
                _pad[i] = (byte)(_key[i] ^ with);
            }
        }
    }
}
