using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imail.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class LifecycleIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_connected_accounts_updated_at",
                table: "connected_accounts",
                column: "updated_at");

            // The inactivity schedule's invitation claim (P9) reads accounts by this expression, oldest first, among those
            // not yet invited: an expression index EF's model cannot declare, so written here.
            migrationBuilder.Sql(
                "CREATE INDEX ix_users_inactive_since ON users ((coalesce(last_authenticated_at, created_at))) WHERE inactivity_warned_at IS NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_users_inactive_since;");

            migrationBuilder.DropIndex(
                name: "ix_connected_accounts_updated_at",
                table: "connected_accounts");
        }
    }
}
