using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Imail.Domain.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ConsentPartiesAndDevices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_consents_current_visitor",
                table: "consents");

            migrationBuilder.CreateTable(
                name: "visitors",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    issued_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    attached_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    cookie_deposited_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    cookie_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_visitors", x => x.id);
                    table.ForeignKey(
                        name: "fk_visitors_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            // The devices already known from their consent periods: issued at their first deposit,
            // attached to the first account their periods joined, with the cookie of their last period.
            migrationBuilder.Sql("""
                INSERT INTO visitors (id, issued_at, user_id, attached_at, cookie_deposited_at, cookie_expires_at)
                SELECT v.visitor_id, v.issued_at, owner.user_id, owner.attached_at, last.first_deposit_at, last.expires_at
                FROM (SELECT visitor_id, min(first_deposit_at) AS issued_at FROM consents WHERE visitor_id IS NOT NULL GROUP BY visitor_id) AS v
                LEFT JOIN LATERAL (SELECT c.user_id, c.first_deposit_at AS attached_at FROM consents AS c
                                   WHERE c.visitor_id = v.visitor_id AND c.user_id IS NOT NULL ORDER BY c.first_deposit_at LIMIT 1) AS owner ON true
                JOIN LATERAL (SELECT c.first_deposit_at, c.expires_at FROM consents AS c
                              WHERE c.visitor_id = v.visitor_id ORDER BY c.first_deposit_at DESC LIMIT 1) AS last ON true;
                """);

            migrationBuilder.CreateIndex(
                name: "ix_consents_current_visitor",
                table: "consents",
                column: "visitor_id",
                unique: true,
                filter: "ended_at IS NULL AND user_id IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_consents_user_latest",
                table: "consents",
                columns: new[] { "user_id", "first_deposit_at" });

            migrationBuilder.CreateIndex(
                name: "ix_consents_visitor_latest",
                table: "consents",
                columns: new[] { "visitor_id", "first_deposit_at" });

            migrationBuilder.CreateIndex(
                name: "ix_visitors_cookie_expires_at",
                table: "visitors",
                column: "cookie_expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_visitors_user_id",
                table: "visitors",
                column: "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "visitors");

            migrationBuilder.DropIndex(
                name: "ix_consents_current_visitor",
                table: "consents");

            migrationBuilder.DropIndex(
                name: "ix_consents_user_latest",
                table: "consents");

            migrationBuilder.DropIndex(
                name: "ix_consents_visitor_latest",
                table: "consents");

            migrationBuilder.CreateIndex(
                name: "ix_consents_current_visitor",
                table: "consents",
                column: "visitor_id",
                unique: true,
                filter: "ended_at IS NULL");
        }
    }
}
