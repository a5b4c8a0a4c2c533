using System.Text;

namespace Imail.Worker.Tests.Email;

/// <summary>
/// Two texts compared line by line (changed lines and one line of context around them), so a
/// snapshot failure reads like the diff a reviewer will see, not as two escaped one-line strings.
/// </summary>
internal static class LineDiff
{
    public static string Of(string expected, string actual)
    {
        var a = Lines(expected);
        var b = Lines(actual);
        // Longest common subsequence of the lines after (i, j): snapshots are a few dozen lines.
        var common = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);

        var edits = new List<(char Op, int Line, string Text)>();
        var (x, y) = (0, 0);
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                edits.Add((' ', x + 1, a[x]));
                (x, y) = (x + 1, y + 1);
            }
            else if (x < a.Length && (y == b.Length || common[x + 1, y] >= common[x, y + 1]))
            {
                edits.Add(('-', x + 1, a[x]));
                x++;
            }
            else
            {
                edits.Add(('+', y + 1, b[y]));
                y++;
            }
        }

        bool Changed(int k) => k >= 0 && k < edits.Count && edits[k].Op != ' ';
        var diff = new StringBuilder();
        var skipped = false;
        for (var k = 0; k < edits.Count; k++)
        {
            if (!Changed(k) && !Changed(k - 1) && !Changed(k + 1))
            {
                skipped = true;
                continue;
            }
            if (skipped) diff.Append("  ...\n");
            skipped = false;
            diff.Append($"{edits[k].Op} {edits[k].Line,4} | {Visible(edits[k].Text)}\n");
        }
        if (skipped) diff.Append("  ...\n");
        return diff.ToString();
    }

    private static string[] Lines(string text) => text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');

    // A change in trailing spaces would otherwise show as two identical lines.
    private static string Visible(string line)
    {
        var trimmed = line.TrimEnd(' ');
        return trimmed + new string('·', line.Length - trimmed.Length);
    }
}
