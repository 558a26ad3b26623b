namespace LeNetHls.TestSupport;

/// <summary>Assertions on generated text (reports, headers, RTL) that list what must or must not appear in it.</summary>
public static class TextAssert
{
    /// <summary>Every fragment occurs in <paramref name="text"/>; a failure names the first one missing.</summary>
    public static void ContainsAll(string text, params string[] fragments)
    {
        foreach (string fragment in fragments) Assert.Contains(fragment, text);
    }

    /// <summary>No fragment occurs in <paramref name="text"/>; a failure names the first one found.</summary>
    public static void ContainsNone(string text, params string[] fragments)
    {
        foreach (string fragment in fragments) Assert.DoesNotContain(fragment, text);
    }
}
