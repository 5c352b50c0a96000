using System.Numerics;
using CityNode.Ota;
using CsCheck;
using Xunit;

namespace CityNode.Tests.Ota;

/// <summary>The multiplication the Ed25519 estimate counts is a real one: congruent to a·b mod 2^255 − 19.</summary>
public class FieldMulTests
{
    private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;

    private static BigInteger Value(uint[] limbs) => limbs.Select((l, i) => new BigInteger(l) << (32 * i)).Aggregate(BigInteger.Zero, (a, b) => a + b);

    [Fact]
    public void Random_products_are_congruent_mod_p()
    {
        // A multiplier per sample: it keeps scratch limbs, and CsCheck runs samples on several threads.
        Gen.Select(Gen.UInt.Array[8], Gen.UInt.Array[8]).Sample((a, b) =>
        {
            var r = new uint[8];
            new FieldMul25519().Multiply(a, b, r);
            Assert.Equal(Value(a) * Value(b) % P, Value(r) % P);
        }, iter: 500);
    }
}
