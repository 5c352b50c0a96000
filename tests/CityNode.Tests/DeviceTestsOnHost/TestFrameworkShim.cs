// The part of nanoFramework.TestFramework's API the device tests use (signatures as in its
// source, ../shared/notes/nanoframework-api.md §9), so tests/CityNode.DeviceTests also runs on the
// host on every commit: the device run then checks the interpreter, not the tests' logic.
#pragma warning disable SA1402, SA1649
namespace nanoFramework.TestFramework
{
    [AttributeUsage(AttributeTargets.Class)]
    public sealed class TestClassAttribute : Attribute
    {
    }

    [AttributeUsage(AttributeTargets.Method)]
    public sealed class TestMethodAttribute : Attribute
    {
    }

    public static class Assert
    {
        public static void AreEqual(int expected, int actual, string message = "") => Check(expected == actual, expected, actual, message);

        public static void AreEqual(uint expected, uint actual, string message = "") => Check(expected == actual, expected, actual, message);

        public static void AreEqual(long expected, long actual, string message = "") => Check(expected == actual, expected, actual, message);

        public static void AreEqual(byte expected, byte actual, string message = "") => Check(expected == actual, expected, actual, message);

        public static void IsTrue(bool condition, string message = "") => Check(condition, true, condition, message);

        public static void IsFalse(bool condition, string message = "") => Check(!condition, false, condition, message);

        public static void ThrowsException(Type exceptionType, Action action)
        {
            try
            {
                action();
            }
            catch (Exception e) when (exceptionType.IsInstanceOfType(e))
            {
                return;
            }

            throw new InvalidOperationException($"expected {exceptionType.Name}");
        }

        private static void Check(bool ok, object expected, object actual, string message)
        {
            if (!ok)
            {
                throw new InvalidOperationException($"expected {expected}, got {actual}. {message}");
            }
        }
    }
}
