using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imail.Domain.Persistence.Migrations
{
    /// <summary>
    /// <c>imail_uuid_v7(at)</c>: a UUIDv7 of an instant (its first 48 bits the instant's milliseconds, version bits
    /// set on a random UUID), as <c>Ids.New</c> makes them in .NET — for the set-based inserts written in SQL
    /// (policy announcements, incident notices), which each spelled the expression out before.
    /// </summary>
    public partial class UuidV7Function : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION imail_uuid_v7(at timestamptz) RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
                  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING
                    substring(int8send((extract(epoch FROM at) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION imail_uuid_v7(timestamptz);");
        }
    }
}
